/* names_test.c - name normalisation (screening/names.h): folding (case, punctuation, diacritics,
 * transliteration of Cyrillic, Greek and Arabic), legal forms, honorifics, "LAST, First"
 * persons, sorted tokens, and the helpers the entity extractor uses. */
#include "testlib.h"

#include "extract/screening/names.h"

static void check_fold(const char *in, const char *want)
{
    ds_buf b = DS_BUF_INIT;
    DS_CHECK(ds_name_fold(&b, in, (size_t)-1) == DS_OK);
    DS_CHECKF(b.data && strcmp(b.data, want) == 0, "fold(\"%s\") = \"%s\", want \"%s\"", in, b.data ? b.data : "(null)",
              want);
    ds_buf_deinit(&b);
}

static void check_norm(const char *in, ds_name_kind kind, const char *ordered, const char *sorted)
{
    ds_name_norm n;
    ds_name_norm_init(&n);
    DS_CHECK(ds_name_normalize(&n, in, (size_t)-1, kind) == DS_OK);
    const char *o = n.ordered.data ? n.ordered.data : "";
    const char *s = n.sorted.data ? n.sorted.data : "";
    DS_CHECKF(strcmp(o, ordered) == 0, "normalize(\"%s\", %d) ordered \"%s\", want \"%s\"", in, kind, o, ordered);
    if (sorted)
        DS_CHECKF(strcmp(s, sorted) == 0, "normalize(\"%s\", %d) sorted \"%s\", want \"%s\"", in, kind, s, sorted);
    ds_name_norm_deinit(&n);
}

int main(void)
{
    /* Case, punctuation, apostrophes, dotted initials, ampersand. */
    check_fold("  ANGLO-CARIBBEAN CO., LTD.  ", "anglo caribbean co ltd");
    check_fold("D'S SUPERMARKET", "ds supermarket");
    check_fold("O’Brien", "obrien");
    check_fold("S.A. DE C.V.", "sa de cv");
    check_fold("SUEX OTC, S.R.O.", "suex otc sro");
    check_fold("J. Smith", "j smith");
    check_fold("A.Smith", "a smith");
    check_fold("Smith & Sons", "smith and sons");
    check_fold("", "");
    /* Diacritics (NFKD, marks dropped) and letters without a decomposition. */
    check_fold("Forces Démocratiques Alliées", "forces democratiques alliees");
    check_fold("ABÚ ZAJD UMAR DÚRDA", "abu zajd umar durda");
    check_fold("Straße Øresund Łódź Æsir Œuvre", "strasse oresund lodz aesir oeuvre");
    check_fold("ﬁnance Ｆｕｌｌ", "finance full"); /* ligature and full-width forms */
    /* Transliteration. */
    check_fold("Дмитрий Юрьевич Хорошев", "dmitriy yurevich khoroshev");
    check_fold("ЩУКИН Ёлкин", "shchukin elkin");
    check_fold("Ελληνική Τράπεζα", "elliniki trapeza");
    check_fold("Οδυσσέας", "odysseas");
    check_fold("محمد", "mhmd");
    check_fold("إبراهيم حسن", "ibrahym hsn");
    check_fold("پارچین", "parchyn");
    /* Other scripts stay, lower-cased; invalid UTF-8 separates. */
    check_fold("김정은", "김정은");
    check_fold("ab\xff\xfe"
               "cd",
               "ab cd");
    check_fold("١٢٣ Street", "123 street");

    /* Organisations: legal forms at either end, repeatedly, never everything. */
    check_norm("ANGLO-CARIBBEAN CO., LTD.", DS_NAME_KIND_ORG, "anglo caribbean", "anglo caribbean");
    check_norm("RED MUNDIAL INMOBILIARIA, S.A. DE C.V.", DS_NAME_KIND_ORG, "red mundial inmobiliaria",
               "inmobiliaria mundial red");
    check_norm("OPEN JOINT-STOCK COMPANY ROSNEFT OIL COMPANY", DS_NAME_KIND_ORG, "rosneft oil", "oil rosneft");
    check_norm("OOO Romashka", DS_NAME_KIND_ORG, "romashka", NULL);
    check_norm("Acme Holdings Limited", DS_NAME_KIND_ORG, "acme", NULL);
    check_norm("Siemens AG", DS_NAME_KIND_ORG, "siemens", NULL);
    check_norm("Straße & Söhne GmbH & Co. KG", DS_NAME_KIND_ORG, "strasse and sohne", NULL);
    check_norm("PCI Group", DS_NAME_KIND_ORG, "pci", NULL);
    check_norm("Holding Company", DS_NAME_KIND_ORG, "holding", NULL);
    check_norm("The Limited", DS_NAME_KIND_ORG, "limited", NULL);
    check_norm("SUEX OTC, S.R.O.", DS_NAME_KIND_ORG, "suex otc", "otc suex");
    /* Persons: "LAST, First" turned round, titles and suffixes removed. */
    check_norm("LOGAN MOREY, Elvis Angus", DS_NAME_KIND_PERSON, "elvis angus logan morey", "angus elvis logan morey");
    check_norm("MORENO JR., Daniel Gonzalo", DS_NAME_KIND_PERSON, "daniel gonzalo moreno", NULL);
    check_norm("Dr. Mr. John Smith III", DS_NAME_KIND_PERSON, "john smith", NULL);
    check_norm("General Ali Hassan", DS_NAME_KIND_PERSON, "ali hassan", NULL);
    check_norm("Khalid Sheikh MOHAMMED", DS_NAME_KIND_PERSON, "khalid sheikh mohammed", "khalid mohammed sheikh");
    check_norm("Sheikh Khalid", DS_NAME_KIND_PERSON, "khalid", NULL);
    check_norm("Mr", DS_NAME_KIND_PERSON, "mr", NULL);
    check_norm("SMITH, ", DS_NAME_KIND_PERSON, "smith", NULL);
    check_norm("A, B, C", DS_NAME_KIND_PERSON, "a b c", NULL); /* two commas: as written */
    /* Unknown: a legal form makes it an organisation; else only unambiguous titles go. */
    check_norm("Gazprom Neft PJSC", DS_NAME_KIND_UNKNOWN, "gazprom neft", NULL);
    check_norm("Mrs Jane Doe", DS_NAME_KIND_UNKNOWN, "jane doe", NULL);
    check_norm("General Motors", DS_NAME_KIND_UNKNOWN, "general motors", NULL);
    check_norm("SMITH, John", DS_NAME_KIND_UNKNOWN, "john smith", "john smith");
    check_norm("BANK CHBRR, AO", DS_NAME_KIND_UNKNOWN, "bank chbrr", NULL);
    check_norm("NKUNDA, General", DS_NAME_KIND_UNKNOWN, "nkunda", NULL);
    check_norm("Shiekh Ali", DS_NAME_KIND_PERSON, "ali", NULL);
    check_norm("", DS_NAME_KIND_UNKNOWN, "", "");
    check_norm("...", DS_NAME_KIND_ORG, "", "");
    {
        ds_name_norm n;
        ds_name_norm_init(&n);
        DS_CHECK(ds_name_normalize(&n, "Global Trade Ltd", (size_t)-1, DS_NAME_KIND_UNKNOWN) == DS_OK);
        DS_CHECK(n.kind == DS_NAME_KIND_ORG && n.n_tokens == 2);
        /* Reuse of the same struct replaces what it held. */
        DS_CHECK(ds_name_normalize(&n, "Ivan", (size_t)-1, DS_NAME_KIND_PERSON) == DS_OK);
        DS_CHECK_STREQ(n.ordered.data, "ivan");
        DS_CHECK(n.n_tokens == 1);
        ds_name_norm_deinit(&n);
        ds_name_norm_deinit(NULL);
    }
    /* A name longer than the token limit keeps its first tokens. */
    {
        char longname[4096] = "";
        for (int i = 0; i < 40; i++)
            strcat(longname, i ? " w" : "w");
        ds_name_norm n;
        ds_name_norm_init(&n);
        DS_CHECK(ds_name_normalize(&n, longname, (size_t)-1, DS_NAME_KIND_ORG) == DS_OK);
        DS_CHECK(n.n_tokens == DS_NAME_MAX_TOKENS);
        ds_name_norm_deinit(&n);
    }

    /* Word helpers for the entity extractor. */
    DS_CHECK(ds_name_is_legal_form("gmbh", 4));
    DS_CHECK(ds_name_is_legal_form("ooo", (size_t)-1));
    DS_CHECK(!ds_name_is_legal_form("bank", 4));
    DS_CHECK(!ds_name_is_legal_form("the", 3));
    DS_CHECK(ds_name_is_honorific("sheikh", (size_t)-1));
    DS_CHECK(ds_name_is_honorific("general", (size_t)-1));
    DS_CHECK(!ds_name_is_honorific("john", (size_t)-1));
    DS_CHECK(ds_name_is_particle("al", 2) && ds_name_is_particle("bin", 3) && !ds_name_is_particle("abu", 3));
    DS_CHECK(ds_name_legal_form_suffix("Acme Holdings Co., Ltd.", (size_t)-1) == 3);
    DS_CHECK(ds_name_legal_form_suffix("Farmacia Vida Suprema, S.A. de C.V.", (size_t)-1) == 3);
    DS_CHECK(ds_name_legal_form_suffix("Bank Melli Iran", (size_t)-1) == 0);
    DS_CHECK(ds_name_honorific_prefix("Dr. Mr John Smith", (size_t)-1) == 2);
    DS_CHECK(ds_name_honorific_prefix("John Smith", (size_t)-1) == 0);
    return ds_test_done();
}
