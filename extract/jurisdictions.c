/* jurisdictions.c - countries and jurisdictions in a document's text: a table of names,
 * variants and demonyms to ISO 3166-1 alpha-2 codes, and the FATF lists as data with the date
 * of the plenary they come from (DS_FATF_AS_OF; sql/0002_aml_reference.sql holds the same
 * rows). A mention is the longest table entry written at a word start with a capital letter;
 * entries with no code ("New Jersey", "Georgia") are there to block a shorter wrong match.
 * Owns: read-only tables. Threading: reentrant.
 */
#include "extract/entities.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* FATF public statements of the plenary of 21 February 2025. */
static const ds_fatf_entry fatf[] = {
    {"KP", "Democratic People's Republic of Korea", DS_FATF_CALL_FOR_ACTION},
    {"IR", "Iran", DS_FATF_CALL_FOR_ACTION},
    {"MM", "Myanmar", DS_FATF_CALL_FOR_ACTION},
    {"DZ", "Algeria", DS_FATF_INCREASED_MONITORING},
    {"AO", "Angola", DS_FATF_INCREASED_MONITORING},
    {"BG", "Bulgaria", DS_FATF_INCREASED_MONITORING},
    {"BF", "Burkina Faso", DS_FATF_INCREASED_MONITORING},
    {"CM", "Cameroon", DS_FATF_INCREASED_MONITORING},
    {"CI", "Côte d'Ivoire", DS_FATF_INCREASED_MONITORING},
    {"HR", "Croatia", DS_FATF_INCREASED_MONITORING},
    {"CD", "Democratic Republic of the Congo", DS_FATF_INCREASED_MONITORING},
    {"HT", "Haiti", DS_FATF_INCREASED_MONITORING},
    {"KE", "Kenya", DS_FATF_INCREASED_MONITORING},
    {"LA", "Lao PDR", DS_FATF_INCREASED_MONITORING},
    {"LB", "Lebanon", DS_FATF_INCREASED_MONITORING},
    {"ML", "Mali", DS_FATF_INCREASED_MONITORING},
    {"MC", "Monaco", DS_FATF_INCREASED_MONITORING},
    {"MZ", "Mozambique", DS_FATF_INCREASED_MONITORING},
    {"NA", "Namibia", DS_FATF_INCREASED_MONITORING},
    {"NP", "Nepal", DS_FATF_INCREASED_MONITORING},
    {"NG", "Nigeria", DS_FATF_INCREASED_MONITORING},
    {"ZA", "South Africa", DS_FATF_INCREASED_MONITORING},
    {"SS", "South Sudan", DS_FATF_INCREASED_MONITORING},
    {"SY", "Syria", DS_FATF_INCREASED_MONITORING},
    {"TZ", "Tanzania", DS_FATF_INCREASED_MONITORING},
    {"VE", "Venezuela", DS_FATF_INCREASED_MONITORING},
    {"VN", "Vietnam", DS_FATF_INCREASED_MONITORING},
    {"YE", "Yemen", DS_FATF_INCREASED_MONITORING},
};

const ds_fatf_entry *ds_fatf_entries(size_t *n)
{
    *n = sizeof fatf / sizeof fatf[0];
    return fatf;
}

const ds_fatf_entry *ds_fatf_lookup(const char *iso2)
{
    if (!iso2)
        return NULL;
    for (size_t i = 0; i < sizeof fatf / sizeof fatf[0]; i++)
        if (strcmp(fatf[i].code, iso2) == 0)
            return &fatf[i];
    return NULL;
}

const char *ds_fatf_list_str(ds_fatf_list l)
{
    switch (l) {
    case DS_FATF_CALL_FOR_ACTION: return "call_for_action";
    case DS_FATF_INCREASED_MONITORING: return "increased_monitoring";
    default: return "";
    }
}

const char *ds_fatf_list_title(ds_fatf_list l)
{
    switch (l) {
    case DS_FATF_CALL_FOR_ACTION: return "High-Risk Jurisdictions subject to a Call for Action";
    case DS_FATF_INCREASED_MONITORING: return "Jurisdictions under Increased Monitoring";
    default: return "";
    }
}

typedef struct place {
    const char *name; /* as written, capitalised; matched case-insensitively from a capital */
    const char *code; /* ISO 3166-1 alpha-2; NULL blocks a shorter match */
    unsigned char territory;
    unsigned char demonym;
} place;

#define C(n, c)    \
    {              \
        n, c, 0, 0 \
    }
#define T(n, c)    \
    {              \
        n, c, 1, 0 \
    }
#define D(n, c)    \
    {              \
        n, c, 0, 1 \
    }
#define B(n)          \
    {                 \
        n, NULL, 0, 0 \
    }

static const place places[] = {
    /* blockers: a US state, city or phrase that holds a country's name */
    B("New Jersey"),
    B("New Mexico"),
    B("New South Wales"),
    B("New England"),
    B("Georgia"),
    B("Jersey City"),
    B("American Indian"),
    B("Indian Ocean"),
    B("West Indies"),
    B("Dutch auction"),
    B("Lebanon, New Hampshire"),
    B("Lebanon, Pennsylvania"),
    B("Lebanon, Tennessee"),
    B("Lebanon, Ohio"),
    B("Lebanon, Indiana"),
    B("Lebanon, Missouri"),
    B("Lebanon, Oregon"),
    /* US states (places, never a listed party by themselves; "Georgia" and "New Jersey" are above) */
    B("Alabama"),
    B("Alaska"),
    B("Arizona"),
    B("Arkansas"),
    B("California"),
    B("Colorado"),
    B("Connecticut"),
    B("Delaware"),
    B("Florida"),
    B("Hawaii"),
    B("Idaho"),
    B("Illinois"),
    B("Indiana"),
    B("Iowa"),
    B("Kansas"),
    B("Kentucky"),
    B("Louisiana"),
    B("Maine"),
    B("Maryland"),
    B("Massachusetts"),
    B("Michigan"),
    B("Minnesota"),
    B("Mississippi"),
    B("Missouri"),
    B("Montana"),
    B("Nebraska"),
    B("Nevada"),
    B("New Hampshire"),
    B("New York"),
    B("North Carolina"),
    B("North Dakota"),
    B("Ohio"),
    B("Oklahoma"),
    B("Oregon"),
    B("Pennsylvania"),
    B("Rhode Island"),
    B("South Carolina"),
    B("South Dakota"),
    B("Tennessee"),
    B("Texas"),
    B("Utah"),
    B("Vermont"),
    B("Virginia"),
    B("Washington"),
    B("West Virginia"),
    B("Wisconsin"),
    B("Wyoming"),
    /* FATF call for action */
    C("Iran", "IR"),
    C("Islamic Republic of Iran", "IR"),
    D("Iranian", "IR"),
    C("Myanmar", "MM"),
    C("Burma", "MM"),
    D("Burmese", "MM"),
    C("North Korea", "KP"),
    C("DPRK", "KP"),
    D("North Korean", "KP"),
    C("Democratic People's Republic of Korea", "KP"),
    C("Democratic People’s Republic of Korea", "KP"),
    /* FATF increased monitoring and their variants */
    C("Algeria", "DZ"),
    D("Algerian", "DZ"),
    C("Angola", "AO"),
    D("Angolan", "AO"),
    C("Bulgaria", "BG"),
    D("Bulgarian", "BG"),
    C("Burkina Faso", "BF"),
    D("Burkinabe", "BF"),
    C("Cameroon", "CM"),
    D("Cameroonian", "CM"),
    C("Côte d'Ivoire", "CI"),
    C("Côte d’Ivoire", "CI"),
    C("Cote d'Ivoire", "CI"),
    C("Cote d’Ivoire", "CI"),
    C("Ivory Coast", "CI"),
    D("Ivorian", "CI"),
    C("Croatia", "HR"),
    D("Croatian", "HR"),
    C("Democratic Republic of the Congo", "CD"),
    C("Democratic Republic of Congo", "CD"),
    C("DR Congo", "CD"),
    C("DRC", "CD"),
    C("Congo-Kinshasa", "CD"),
    C("Haiti", "HT"),
    D("Haitian", "HT"),
    C("Kenya", "KE"),
    D("Kenyan", "KE"),
    C("Lao PDR", "LA"),
    C("Laos", "LA"),
    C("Lao People's Democratic Republic", "LA"),
    C("Lao People’s Democratic Republic", "LA"),
    D("Laotian", "LA"),
    C("Lebanon", "LB"),
    D("Lebanese", "LB"),
    C("Mali", "ML"),
    D("Malian", "ML"),
    C("Monaco", "MC"),
    D("Monegasque", "MC"),
    C("Mozambique", "MZ"),
    D("Mozambican", "MZ"),
    C("Namibia", "NA"),
    D("Namibian", "NA"),
    C("Nepal", "NP"),
    D("Nepalese", "NP"),
    D("Nepali", "NP"),
    C("Nigeria", "NG"),
    D("Nigerian", "NG"),
    C("South Africa", "ZA"),
    C("Republic of South Africa", "ZA"),
    D("South African", "ZA"),
    C("South Sudan", "SS"),
    D("South Sudanese", "SS"),
    C("Syria", "SY"),
    C("Syrian Arab Republic", "SY"),
    D("Syrian", "SY"),
    C("Tanzania", "TZ"),
    C("United Republic of Tanzania", "TZ"),
    D("Tanzanian", "TZ"),
    C("Venezuela", "VE"),
    C("Bolivarian Republic of Venezuela", "VE"),
    D("Venezuelan", "VE"),
    C("Vietnam", "VN"),
    C("Viet Nam", "VN"),
    D("Vietnamese", "VN"),
    C("Yemen", "YE"),
    D("Yemeni", "YE"),
    /* other sovereign states */
    C("Afghanistan", "AF"),
    D("Afghan", "AF"),
    C("Albania", "AL"),
    D("Albanian", "AL"),
    C("Andorra", "AD"),
    C("Antigua and Barbuda", "AG"),
    C("Argentina", "AR"),
    D("Argentine", "AR"),
    D("Argentinian", "AR"),
    C("Armenia", "AM"),
    D("Armenian", "AM"),
    C("Australia", "AU"),
    D("Australian", "AU"),
    C("Austria", "AT"),
    D("Austrian", "AT"),
    C("Azerbaijan", "AZ"),
    D("Azerbaijani", "AZ"),
    C("Bahamas", "BS"),
    C("Bahrain", "BH"),
    D("Bahraini", "BH"),
    C("Bangladesh", "BD"),
    D("Bangladeshi", "BD"),
    C("Barbados", "BB"),
    C("Belarus", "BY"),
    D("Belarusian", "BY"),
    C("Belgium", "BE"),
    D("Belgian", "BE"),
    C("Belize", "BZ"),
    C("Benin", "BJ"),
    C("Bhutan", "BT"),
    C("Bolivia", "BO"),
    D("Bolivian", "BO"),
    C("Bosnia and Herzegovina", "BA"),
    C("Bosnia", "BA"),
    C("Botswana", "BW"),
    C("Brazil", "BR"),
    D("Brazilian", "BR"),
    C("Brunei", "BN"),
    C("Brunei Darussalam", "BN"),
    C("Burundi", "BI"),
    C("Cabo Verde", "CV"),
    C("Cape Verde", "CV"),
    C("Cambodia", "KH"),
    D("Cambodian", "KH"),
    C("Canada", "CA"),
    D("Canadian", "CA"),
    C("Central African Republic", "CF"),
    C("Chad", "TD"),
    C("Chile", "CL"),
    D("Chilean", "CL"),
    C("China", "CN"),
    C("People's Republic of China", "CN"),
    C("People’s Republic of China", "CN"),
    C("PRC", "CN"),
    D("Chinese", "CN"),
    C("Colombia", "CO"),
    D("Colombian", "CO"),
    C("Comoros", "KM"),
    C("Congo", "CG"),
    C("Republic of the Congo", "CG"),
    C("Congo-Brazzaville", "CG"),
    C("Costa Rica", "CR"),
    C("Cuba", "CU"),
    D("Cuban", "CU"),
    C("Cyprus", "CY"),
    D("Cypriot", "CY"),
    C("Czech Republic", "CZ"),
    C("Czechia", "CZ"),
    D("Czech", "CZ"),
    C("Denmark", "DK"),
    D("Danish", "DK"),
    C("Djibouti", "DJ"),
    C("Dominica", "DM"),
    C("Dominican Republic", "DO"),
    C("Ecuador", "EC"),
    D("Ecuadorian", "EC"),
    C("Egypt", "EG"),
    D("Egyptian", "EG"),
    C("El Salvador", "SV"),
    C("Equatorial Guinea", "GQ"),
    C("Eritrea", "ER"),
    D("Eritrean", "ER"),
    C("Estonia", "EE"),
    D("Estonian", "EE"),
    C("Eswatini", "SZ"),
    C("Swaziland", "SZ"),
    C("Ethiopia", "ET"),
    D("Ethiopian", "ET"),
    C("Fiji", "FJ"),
    C("Finland", "FI"),
    D("Finnish", "FI"),
    C("France", "FR"),
    D("French", "FR"),
    C("Gabon", "GA"),
    C("Gambia", "GM"),
    C("The Gambia", "GM"),
    C("Republic of Georgia", "GE"),
    C("Germany", "DE"),
    D("German", "DE"),
    C("Ghana", "GH"),
    D("Ghanaian", "GH"),
    C("Greece", "GR"),
    D("Greek", "GR"),
    C("Grenada", "GD"),
    C("Guatemala", "GT"),
    D("Guatemalan", "GT"),
    C("Guinea", "GN"),
    C("Guinea-Bissau", "GW"),
    C("Guyana", "GY"),
    C("Honduras", "HN"),
    D("Honduran", "HN"),
    C("Hungary", "HU"),
    D("Hungarian", "HU"),
    C("Iceland", "IS"),
    D("Icelandic", "IS"),
    C("India", "IN"),
    D("Indian", "IN"),
    C("Indonesia", "ID"),
    D("Indonesian", "ID"),
    C("Iraq", "IQ"),
    D("Iraqi", "IQ"),
    C("Ireland", "IE"),
    C("Republic of Ireland", "IE"),
    D("Irish", "IE"),
    C("Israel", "IL"),
    D("Israeli", "IL"),
    C("Italy", "IT"),
    D("Italian", "IT"),
    C("Jamaica", "JM"),
    D("Jamaican", "JM"),
    C("Japan", "JP"),
    D("Japanese", "JP"),
    C("Jordan", "JO"),
    D("Jordanian", "JO"),
    C("Kazakhstan", "KZ"),
    D("Kazakh", "KZ"),
    C("Kiribati", "KI"),
    C("Kosovo", "XK"),
    C("Kuwait", "KW"),
    D("Kuwaiti", "KW"),
    C("Kyrgyzstan", "KG"),
    C("Kyrgyz Republic", "KG"),
    C("Latvia", "LV"),
    D("Latvian", "LV"),
    C("Lesotho", "LS"),
    C("Liberia", "LR"),
    D("Liberian", "LR"),
    C("Libya", "LY"),
    D("Libyan", "LY"),
    C("Liechtenstein", "LI"),
    C("Lithuania", "LT"),
    D("Lithuanian", "LT"),
    C("Luxembourg", "LU"),
    C("Madagascar", "MG"),
    C("Malawi", "MW"),
    C("Malaysia", "MY"),
    D("Malaysian", "MY"),
    C("Maldives", "MV"),
    C("Malta", "MT"),
    D("Maltese", "MT"),
    C("Marshall Islands", "MH"),
    C("Mauritania", "MR"),
    C("Mauritius", "MU"),
    C("Mexico", "MX"),
    D("Mexican", "MX"),
    C("Micronesia", "FM"),
    C("Moldova", "MD"),
    C("Republic of Moldova", "MD"),
    D("Moldovan", "MD"),
    C("Mongolia", "MN"),
    D("Mongolian", "MN"),
    C("Montenegro", "ME"),
    C("Morocco", "MA"),
    D("Moroccan", "MA"),
    C("Nauru", "NR"),
    C("Netherlands", "NL"),
    C("The Netherlands", "NL"),
    C("Holland", "NL"),
    D("Dutch", "NL"),
    C("New Zealand", "NZ"),
    C("Nicaragua", "NI"),
    D("Nicaraguan", "NI"),
    C("Niger", "NE"),
    C("North Macedonia", "MK"),
    C("Macedonia", "MK"),
    C("Norway", "NO"),
    D("Norwegian", "NO"),
    C("Oman", "OM"),
    D("Omani", "OM"),
    C("Pakistan", "PK"),
    D("Pakistani", "PK"),
    C("Palau", "PW"),
    C("Palestine", "PS"),
    C("West Bank", "PS"),
    C("Gaza", "PS"),
    D("Palestinian", "PS"),
    C("Panama", "PA"),
    D("Panamanian", "PA"),
    C("Papua New Guinea", "PG"),
    C("Paraguay", "PY"),
    C("Peru", "PE"),
    D("Peruvian", "PE"),
    C("Philippines", "PH"),
    C("The Philippines", "PH"),
    D("Filipino", "PH"),
    C("Poland", "PL"),
    D("Polish", "PL"),
    C("Portugal", "PT"),
    D("Portuguese", "PT"),
    C("Qatar", "QA"),
    D("Qatari", "QA"),
    C("Romania", "RO"),
    D("Romanian", "RO"),
    C("Russia", "RU"),
    C("Russian Federation", "RU"),
    D("Russian", "RU"),
    C("Rwanda", "RW"),
    C("Saint Kitts and Nevis", "KN"),
    C("St. Kitts and Nevis", "KN"),
    C("Saint Lucia", "LC"),
    C("St. Lucia", "LC"),
    C("Saint Vincent and the Grenadines", "VC"),
    C("Samoa", "WS"),
    C("San Marino", "SM"),
    C("Sao Tome and Principe", "ST"),
    C("Saudi Arabia", "SA"),
    D("Saudi", "SA"),
    C("Senegal", "SN"),
    D("Senegalese", "SN"),
    C("Serbia", "RS"),
    D("Serbian", "RS"),
    C("Seychelles", "SC"),
    C("Sierra Leone", "SL"),
    C("Singapore", "SG"),
    D("Singaporean", "SG"),
    C("Slovakia", "SK"),
    C("Slovak Republic", "SK"),
    C("Slovenia", "SI"),
    C("Solomon Islands", "SB"),
    C("Somalia", "SO"),
    D("Somali", "SO"),
    C("South Korea", "KR"),
    C("Republic of Korea", "KR"),
    C("Korea", "KR"),
    D("South Korean", "KR"),
    D("Korean", "KR"),
    C("Spain", "ES"),
    D("Spanish", "ES"),
    C("Sri Lanka", "LK"),
    D("Sri Lankan", "LK"),
    C("Sudan", "SD"),
    D("Sudanese", "SD"),
    C("Suriname", "SR"),
    C("Sweden", "SE"),
    D("Swedish", "SE"),
    C("Switzerland", "CH"),
    D("Swiss", "CH"),
    C("Tajikistan", "TJ"),
    C("Thailand", "TH"),
    D("Thai", "TH"),
    C("Timor-Leste", "TL"),
    C("East Timor", "TL"),
    C("Togo", "TG"),
    C("Tonga", "TO"),
    C("Trinidad and Tobago", "TT"),
    C("Tunisia", "TN"),
    D("Tunisian", "TN"),
    C("Turkey", "TR"),
    C("Türkiye", "TR"),
    C("Turkiye", "TR"),
    D("Turkish", "TR"),
    C("Turkmenistan", "TM"),
    C("Tuvalu", "TV"),
    C("Uganda", "UG"),
    D("Ugandan", "UG"),
    C("Ukraine", "UA"),
    D("Ukrainian", "UA"),
    C("United Arab Emirates", "AE"),
    C("UAE", "AE"),
    C("U.A.E.", "AE"),
    D("Emirati", "AE"),
    C("United Kingdom", "GB"),
    C("Great Britain", "GB"),
    C("Britain", "GB"),
    C("England", "GB"),
    C("Scotland", "GB"),
    C("Wales", "GB"),
    C("Northern Ireland", "GB"),
    D("British", "GB"),
    C("United States", "US"),
    C("United States of America", "US"),
    C("Uruguay", "UY"),
    C("Uzbekistan", "UZ"),
    D("Uzbek", "UZ"),
    C("Vanuatu", "VU"),
    C("Holy See", "VA"),
    C("Vatican City", "VA"),
    C("Zambia", "ZM"),
    D("Zambian", "ZM"),
    C("Zimbabwe", "ZW"),
    D("Zimbabwean", "ZW"),
    /* territories and offshore centres */
    T("Cayman Islands", "KY"),
    T("British Virgin Islands", "VG"),
    T("Virgin Islands (British)", "VG"),
    T("BVI", "VG"),
    T("U.S. Virgin Islands", "VI"),
    T("Bermuda", "BM"),
    T("Jersey", "JE"),
    T("Guernsey", "GG"),
    T("Isle of Man", "IM"),
    T("Gibraltar", "GI"),
    T("Hong Kong", "HK"),
    T("Macau", "MO"),
    T("Macao", "MO"),
    T("Taiwan", "TW"),
    T("Puerto Rico", "PR"),
    T("Guam", "GU"),
    T("Curaçao", "CW"),
    T("Curacao", "CW"),
    T("Aruba", "AW"),
    T("Anguilla", "AI"),
    T("Turks and Caicos Islands", "TC"),
    T("Cook Islands", "CK"),
    T("Montserrat", "MS"),
    T("Greenland", "GL"),
    T("Faroe Islands", "FO"),
    T("American Samoa", "AS"),
    T("Sint Maarten", "SX"),
    T("Northern Mariana Islands", "MP"),
    T("New Caledonia", "NC"),
    T("French Polynesia", "PF"),
    T("Falkland Islands", "FK"),
};

static int is_word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80;
}

/* Case-insensitive (ASCII) match of name at t[i..], a space in name also matching a line
 * break or several spaces; length matched in t or 0. The character after must not continue a
 * word. */
static size_t match_at(const char *t, size_t tl, size_t i, const char *name)
{
    size_t j = i, n = strlen(name);
    for (size_t k = 0; k < n; k++) {
        unsigned char b = (unsigned char)name[k];
        if (b == ' ') {
            size_t s = j;
            while (j < tl && (t[j] == ' ' || t[j] == '\n' || t[j] == '\t' || t[j] == '\r'))
                j++;
            if (j == s)
                return 0;
            continue;
        }
        if (j >= tl)
            return 0;
        unsigned char a = (unsigned char)t[j];
        if (a != b && !(a < 0x80 && b < 0x80 && tolower(a) == tolower(b)))
            return 0;
        j++;
    }
    if (j < tl && is_word_byte((unsigned char)t[j]) && name[n - 1] != '.')
        return 0;
    return j - i;
}

/* Longest place written at t[i]; NULL when none. */
static const place *longest_at(const char *t, size_t tl, size_t i, size_t *len)
{
    const place *best = NULL;
    size_t bl = 0;
    unsigned char first = (unsigned char)tolower((unsigned char)t[i]);
    for (size_t p = 0; p < sizeof places / sizeof places[0]; p++) {
        if ((unsigned char)tolower((unsigned char)places[p].name[0]) != first)
            continue;
        size_t n = match_at(t, tl, i, places[p].name);
        if (n > bl) {
            bl = n;
            best = &places[p];
        }
    }
    *len = bl;
    return best;
}

const char *ds_country_code(const char *name, int *territory)
{
    if (!name)
        return NULL;
    size_t n = strlen(name);
    int c0 = tolower((unsigned char)name[0]);
    for (size_t p = 0; p < sizeof places / sizeof places[0]; p++)
        if (places[p].code && tolower((unsigned char)places[p].name[0]) == c0 &&
            match_at(name, n, 0, places[p].name) == n) {
            if (territory)
                *territory = places[p].territory;
            return places[p].code;
        }
    return NULL;
}

int ds_is_place_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (!n)
        return 0;
    int c0 = tolower((unsigned char)name[0]);
    for (size_t p = 0; p < sizeof places / sizeof places[0]; p++)
        if (tolower((unsigned char)places[p].name[0]) == c0 && match_at(name, n, 0, places[p].name) == n)
            return 1;
    return 0;
}

/* All-capital mentions ("IRAN") count; lower-case ones ("iran") do not. */
static int capitalised(const char *t, size_t i)
{
    unsigned char c = (unsigned char)t[i];
    return (c >= 'A' && c <= 'Z');
}

ds_status ds_extract_jurisdictions(ds_document *doc, const ds_chunk_list *chunks, ds_entity_list *out, ds_err *err)
{
    const char *t = doc->text.data ? doc->text.data : "";
    size_t tl = doc->text.len;
    for (size_t i = 0; i < tl;) {
        if (!capitalised(t, i) || (i > 0 && is_word_byte((unsigned char)t[i - 1]))) {
            i++;
            continue;
        }
        size_t len = 0;
        const place *p = longest_at(t, tl, i, &len);
        if (!p) {
            i++;
            continue;
        }
        if (p->code) {
            const ds_fatf_entry *fe = ds_fatf_lookup(p->code);
            char attrs[256];
            if (fe)
                snprintf(attrs, sizeof attrs,
                         "{\"iso\":\"%s\",\"demonym\":%s,\"fatf_list\":\"%s\",\"fatf_list_title\":\"%s\","
                         "\"fatf_as_of\":\"%s\"}",
                         p->code, p->demonym ? "true" : "false", ds_fatf_list_str(fe->list),
                         ds_fatf_list_title(fe->list), DS_FATF_AS_OF);
            else
                snprintf(attrs, sizeof attrs, "{\"iso\":\"%s\",\"demonym\":%s}", p->code,
                         p->demonym ? "true" : "false");
            ds_status st = ds_entity_add(doc, chunks, out, p->territory ? DS_ENTITY_JURISDICTION : DS_ENTITY_COUNTRY, i,
                                         len, p->code, attrs, fe, NULL);
            if (st)
                return ds_err_set(err, st, "out of memory listing places of %s", doc->name ? doc->name : "document");
        }
        i += len;
    }
    return DS_OK;
}
