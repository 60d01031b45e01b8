/* metrics.c - the map from us-gaap / ifrs-full concepts and from statement-table row labels to
 * dossier's canonical credit metrics, the kind of period each metric takes, fiscal period
 * classification, and the resolution of duplicate facts.
 * Read-only tables; the first matching concept (or label) in table order is the preferred one
 * for a metric, and its position is the rank ds_facts_resolve keeps. Reentrant. */
#include "extract/facts.h"

#include "extract/dates.h"
#include "pipeline/core/alloc.h"
#include "pipeline/core/decimal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct concept_map {
    const char *local; /* concept name without prefix, or a normalised row label */
    const char *metric;
} concept_map;

/* us-gaap concepts (the taxonomy's element names). */
static const concept_map usgaap[] = {
    {"Revenues", "revenue"},
    {"RevenueFromContractWithCustomerExcludingAssessedTax", "revenue"},
    {"RevenueFromContractWithCustomerIncludingAssessedTax", "revenue"},
    {"SalesRevenueNet", "revenue"},
    {"SalesRevenueGoodsNet", "revenue"},
    {"RevenuesNetOfInterestExpense", "revenue"},
    {"CostOfRevenue", "cost_of_revenue"},
    {"CostOfGoodsAndServicesSold", "cost_of_revenue"},
    {"CostOfGoodsSold", "cost_of_revenue"},
    {"GrossProfit", "gross_profit"},
    {"OperatingIncomeLoss", "operating_income"},
    {"NetIncomeLoss", "net_income"},
    {"ProfitLoss", "net_income"},
    {"NetIncomeLossAvailableToCommonStockholdersBasic", "net_income"},
    {"EarningsPerShareBasic", "eps_basic"},
    {"EarningsPerShareBasicAndDiluted", "eps_basic"},
    {"EarningsPerShareDiluted", "eps_diluted"},
    {"Assets", "total_assets"},
    {"AssetsCurrent", "current_assets"},
    {"LiabilitiesCurrent", "current_liabilities"},
    {"Liabilities", "total_liabilities"},
    {"StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest", "equity"},
    {"StockholdersEquity", "equity"},
    {"CashAndCashEquivalentsAtCarryingValue", "cash"},
    {"CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", "cash"},
    {"Cash", "cash"},
    {"NetCashProvidedByUsedInOperatingActivities", "operating_cash_flow"},
    {"NetCashProvidedByUsedInOperatingActivitiesContinuingOperations", "operating_cash_flow"},
    {"PaymentsToAcquirePropertyPlantAndEquipment", "capex"},
    {"PaymentsToAcquireProductiveAssets", "capex"},
    {"DebtCurrent", "short_term_debt"},
    {"ShortTermBorrowings", "short_term_borrowings"},
    {"CommercialPaper", "short_term_borrowings"},
    {"LongTermDebtCurrent", "current_portion_long_term_debt"},
    {"LongTermDebtAndCapitalLeaseObligationsCurrent", "current_portion_long_term_debt"},
    {"LongTermDebtNoncurrent", "long_term_debt"},
    {"LongTermDebt", "long_term_debt"},
    {"LongTermDebtAndCapitalLeaseObligations", "long_term_debt"},
    {"NotesPayableCurrent", "current_portion_long_term_debt"},
    {"LongTermNotesAndLoans", "long_term_debt"},
    {"LongTermNotesPayable", "long_term_debt"},
    {"InterestExpense", "interest_expense"},
    {"InterestExpenseNonoperating", "interest_expense"},
    {"InterestExpenseDebt", "interest_expense"},
    {"InterestAndDebtExpense", "interest_expense"},
    {"DepreciationDepletionAndAmortization", "depreciation_amortization"},
    {"DepreciationAndAmortization", "depreciation_amortization"},
    {"DepreciationAmortizationAndAccretionNet", "depreciation_amortization"},
    {"OperatingLeaseCost", "lease_expense"},
    {"OperatingLeaseExpense", "lease_expense"},
    {"OperatingLeasesRentExpenseNet", "lease_expense"},
    {"LeaseAndRentalExpense", "lease_expense"},
};

/* ifrs-full concepts. */
static const concept_map ifrs[] = {
    {"Revenue", "revenue"},
    {"RevenueFromContractsWithCustomers", "revenue"},
    {"CostOfSales", "cost_of_revenue"},
    {"GrossProfit", "gross_profit"},
    {"ProfitLossFromOperatingActivities", "operating_income"},
    {"ProfitLoss", "net_income"},
    {"ProfitLossAttributableToOwnersOfParent", "net_income"},
    {"BasicEarningsLossPerShare", "eps_basic"},
    {"DilutedEarningsLossPerShare", "eps_diluted"},
    {"Assets", "total_assets"},
    {"CurrentAssets", "current_assets"},
    {"CurrentLiabilities", "current_liabilities"},
    {"Liabilities", "total_liabilities"},
    {"EquityAttributableToOwnersOfParent", "equity"},
    {"Equity", "equity"},
    {"CashAndCashEquivalents", "cash"},
    {"CashFlowsFromUsedInOperatingActivities", "operating_cash_flow"},
    {"PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities", "capex"},
    {"ShorttermBorrowings", "short_term_borrowings"},
    {"CurrentPortionOfLongtermBorrowings", "current_portion_long_term_debt"},
    {"NoncurrentPortionOfNoncurrentBorrowings", "long_term_debt"},
    {"LongtermBorrowings", "long_term_debt"},
    {"InterestExpense", "interest_expense"},
    {"FinanceCosts", "interest_expense"},
    {"DepreciationAndAmortisationExpense", "depreciation_amortization"},
};

/* Statement-table row labels, normalised as label_key() writes them (lower case, apostrophes
 * dropped, other punctuation a single space). Totals come before their bare forms. */
static const concept_map labels[] = {
    {"total revenues", "revenue"},
    {"total revenue", "revenue"},
    {"total net revenues", "revenue"},
    {"total net revenue", "revenue"},
    {"total net sales", "revenue"},
    {"net sales and revenues", "revenue"},
    {"total net sales and revenue", "revenue"},
    {"total operating revenues", "revenue"},
    {"total revenues net of interest expense", "revenue"},
    {"net operating revenues", "revenue"},
    {"sales to customers", "revenue"},
    {"net operating revenue", "revenue"},
    {"net revenues", "revenue"},
    {"net revenue", "revenue"},
    {"revenues net", "revenue"},
    {"revenue net", "revenue"},
    {"net sales", "revenue"},
    {"total sales", "revenue"},
    {"revenues", "revenue"},
    {"revenue", "revenue"},
    {"operating revenues", "revenue"},
    {"sales", "revenue"},
    {"turnover", "revenue"},
    {"total cost of revenues", "cost_of_revenue"},
    {"total cost of revenue", "cost_of_revenue"},
    {"total cost of sales", "cost_of_revenue"},
    {"cost of sales", "cost_of_revenue"},
    {"cost of revenues", "cost_of_revenue"},
    {"cost of revenue", "cost_of_revenue"},
    {"total cost of net revenues", "cost_of_revenue"},
    {"cost of net revenues", "cost_of_revenue"},
    {"cost of net revenue", "cost_of_revenue"},
    {"cost of goods sold", "cost_of_revenue"},
    {"cost of products sold", "cost_of_revenue"},
    {"total gross margin", "gross_profit"},
    {"gross profit", "gross_profit"},
    {"gross profit loss", "gross_profit"},
    {"gross margin", "gross_profit"},
    {"income from operations", "operating_income"},
    {"operating income", "operating_income"},
    {"operating income loss", "operating_income"},
    {"income loss from operations", "operating_income"},
    {"loss income from operations", "operating_income"},
    {"loss from operations", "operating_income"},
    {"operating loss", "operating_income"},
    {"operating profit", "operating_income"},
    {"operating profit loss", "operating_income"},
    {"profit from operations", "operating_income"},
    {"net income", "net_income"},
    {"net income loss", "net_income"},
    {"net loss income", "net_income"},
    {"net loss", "net_income"},
    {"net earnings", "net_income"},
    {"net earnings loss", "net_income"},
    {"profit for the year", "net_income"},
    {"profit for the period", "net_income"},
    {"net income attributable to common stockholders", "net_income"},
    {"net income attributable to common shareholders", "net_income"},
    {"basic earnings per share", "eps_basic"},
    {"basic net income per share", "eps_basic"},
    {"basic net income loss per share", "eps_basic"},
    {"basic net loss per share", "eps_basic"},
    {"basic earnings loss per share", "eps_basic"},
    {"earnings per share basic", "eps_basic"},
    {"net income per share basic", "eps_basic"},
    {"net income loss per share basic", "eps_basic"},
    {"net loss per share basic", "eps_basic"},
    {"diluted earnings per share", "eps_diluted"},
    {"diluted net income per share", "eps_diluted"},
    {"diluted net income loss per share", "eps_diluted"},
    {"diluted net loss per share", "eps_diluted"},
    {"diluted earnings loss per share", "eps_diluted"},
    {"earnings per share diluted", "eps_diluted"},
    {"net income per share diluted", "eps_diluted"},
    {"net income loss per share diluted", "eps_diluted"},
    {"net loss per share diluted", "eps_diluted"},
    {"total assets", "total_assets"},
    {"total current assets", "current_assets"},
    {"total current liabilities", "current_liabilities"},
    {"total liabilities", "total_liabilities"},
    {"total equity", "equity"},
    {"total equity deficit", "equity"},
    {"total stockholders equity", "equity"},
    {"total shareholders equity", "equity"},
    {"total stockholders equity deficit", "equity"},
    {"total shareholders equity deficit", "equity"},
    {"total stockholders deficit", "equity"},
    {"total shareholders deficit", "equity"},
    {"total common stockholders equity", "equity"},
    {"total common shareholders equity", "equity"},
    {"total common stockholders investment", "equity"},
    {"total stockholders investment", "equity"},
    {"total shareholders investment", "equity"},
    {"stockholders equity", "equity"},
    {"shareholders equity", "equity"},
    {"cash and cash equivalents", "cash"},
    {"cash and equivalents", "cash"},
    {"cash cash equivalents and restricted cash", "cash"},
    {"cash", "cash"},
    {"net cash provided by operating activities", "operating_cash_flow"},
    {"net cash provided by used in operating activities", "operating_cash_flow"},
    {"net cash used in provided by operating activities", "operating_cash_flow"},
    {"net cash used in operating activities", "operating_cash_flow"},
    {"net cash from operating activities", "operating_cash_flow"},
    {"net cash generated from operating activities", "operating_cash_flow"},
    {"net cash provided by operations", "operating_cash_flow"},
    {"cash generated from operations", "operating_cash_flow"},
    {"purchases of property and equipment", "capex"},
    {"purchases of property plant and equipment", "capex"},
    {"purchase of property and equipment", "capex"},
    {"purchase of property plant and equipment", "capex"},
    {"capital expenditures", "capex"},
    {"capital expenditure", "capex"},
    {"additions to property and equipment", "capex"},
    {"additions to property plant and equipment", "capex"},
    {"payments for property and equipment", "capex"},
    {"payments for acquisition of property plant and equipment", "capex"},
    {"short term debt and current portion of long term debt", "short_term_debt"},
    {"short term borrowings and current portion of long term debt", "short_term_debt"},
    {"current portion of long term debt and short term borrowings", "short_term_debt"},
    {"short term debt", "short_term_debt"},
    {"total short term debt", "short_term_debt"},
    {"short term borrowings", "short_term_borrowings"},
    {"commercial paper", "short_term_borrowings"},
    {"current portion of long term debt", "current_portion_long_term_debt"},
    {"current maturities of long term debt", "current_portion_long_term_debt"},
    {"long term debt current portion", "current_portion_long_term_debt"},
    {"current portion of long term debt net", "current_portion_long_term_debt"},
    {"long term debt net of current portion", "long_term_debt"},
    {"long term debt less current portion", "long_term_debt"},
    {"long term debt excluding current portion", "long_term_debt"},
    {"long term debt non current", "long_term_debt"},
    {"long term debt noncurrent", "long_term_debt"},
    {"long term debt net", "long_term_debt"},
    {"long term debt", "long_term_debt"},
    {"term debt", "long_term_debt"},
    {"long term borrowings", "long_term_debt"},
    {"current portion of debt", "current_portion_long_term_debt"},
    {"debt current", "current_portion_long_term_debt"},
    {"debt noncurrent", "long_term_debt"},
    {"debt non current", "long_term_debt"},
    {"debt", "long_term_debt"}, /* a bare "Debt" row among the balance sheet's non-current liabilities */
    {"interest expense", "interest_expense"},
    {"interest expense net", "interest_expense"},
    {"depreciation and amortization", "depreciation_amortization"},
    {"depreciation and amortization of property equipment and intangibles", "depreciation_amortization"},
    {"depreciation and amortization of property and equipment", "depreciation_amortization"},
    {"depreciation amortization and other", "depreciation_amortization"},
    {"depreciation depletion and amortization", "depreciation_amortization"},
    {"depreciation and amortisation", "depreciation_amortization"},
    {"depreciation amortization", "depreciation_amortization"},
};

/* Metrics measured at a point in time (balance sheet); the others cover a period. */
static const char *const instant_metrics[] = {
    "total_assets",
    "current_assets",
    "current_liabilities",
    "total_liabilities",
    "equity",
    "cash",
    "short_term_debt",
    "short_term_borrowings",
    "current_portion_long_term_debt",
    "long_term_debt",
};

static int find_concept(const char *concept, const concept_map **table_out)
{
    const concept_map *table;
    size_t n;
    const char *local;
    if (!concept)
        return -1;
    if (strncmp(concept, "us-gaap:", 8) == 0) {
        table = usgaap;
        n = sizeof usgaap / sizeof usgaap[0];
        local = concept + 8;
    } else if (strncmp(concept, "ifrs-full:", 10) == 0) {
        table = ifrs;
        n = sizeof ifrs / sizeof ifrs[0];
        local = concept + 10;
    } else {
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].local, local) == 0) {
            *table_out = table;
            return (int)i;
        }
    return -1;
}

const char *ds_metric_for_concept(const char *concept)
{
    const concept_map *t;
    int i = find_concept(concept, &t);
    return i >= 0 ? t[i].metric : NULL;
}

size_t ds_label_key(const char *label, char *out, size_t cap)
{
    size_t o = 0;
    int space = 0;
    if (!cap)
        return 0;
    for (const unsigned char *p = (const unsigned char *)(label ? label : ""); *p && o + 2 < cap; p++) {
        /* Apostrophes vanish (’ is E2 80 99). */
        if (*p == '\'' || (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x99)) {
            if (*p == 0xE2)
                p += 2;
            continue;
        }
        if (isalnum(*p)) {
            if (space && o)
                out[o++] = ' ';
            space = 0;
            out[o++] = (char)tolower(*p);
        } else {
            space = 1;
        }
    }
    out[o] = '\0';
    return o;
}

/* Whether s[0..n) is a reference to the notes: "(Note 4)", "(Notes 1 and 2)". */
static int notes_reference(const char *s, size_t n)
{
    return n >= 7 && s[0] == '(' && s[n - 1] == ')' && !strncasecmp(s + 1, "note", 4) &&
           (s[5] == ' ' || ((s[5] == 's' || s[5] == 'S') && s[6] == ' '));
}

/* A label without its footnote marks: trailing "(1)", "(a)", "*", daggers, superscripts, and
 * references to the notes ("(Notes 1 and 2)"). */
static void strip_marks(const char *label, char *out, size_t cap)
{
    snprintf(out, cap, "%s", label ? label : "");
    size_t n = strlen(out);
    for (int again = 1; again;) {
        again = 0;
        while (n && (isspace((unsigned char)out[n - 1]) || out[n - 1] == '*' || out[n - 1] == ':'))
            out[--n] = '\0', again = 1;
        if (n >= 3 && (unsigned char)out[n - 3] == 0xE2 && (unsigned char)out[n - 2] == 0x80 &&
            ((unsigned char)out[n - 1] == 0xA0 || (unsigned char)out[n - 1] == 0xA1)) {
            n -= 3; /* † ‡ */
            out[n] = '\0';
            again = 1;
        }
        if (n >= 2 && (unsigned char)out[n - 2] == 0xC2 &&
            ((unsigned char)out[n - 1] == 0xB9 || (unsigned char)out[n - 1] == 0xB2 ||
             (unsigned char)out[n - 1] == 0xB3)) {
            n -= 2; /* ¹ ² ³ */
            out[n] = '\0';
            again = 1;
        }
        if (n >= 7 && out[n - 1] == ')') {
            char *open = strrchr(out, '(');
            if (open && open > out && notes_reference(open, (size_t)(out + n - open))) {
                n = (size_t)(open - out);
                out[n] = '\0';
                again = 1;
                continue;
            }
        }
        if (n >= 3 && out[n - 1] == ')') {
            size_t o = n - 1;
            while (o > 0 && out[o] != '(' && n - o <= 4)
                o--;
            size_t inner = n - o - 2;
            int mark = out[o] == '(' && inner >= 1 && inner <= 2 && o > 0;
            for (size_t i = o + 1; mark && i < n - 1; i++)
                if (!(isdigit((unsigned char)out[i]) || (inner == 1 && islower((unsigned char)out[i]))))
                    mark = 0;
            if (mark) {
                n = o;
                out[n] = '\0';
                again = 1;
            }
        }
    }
}

/* "Net income attributable to <the company>": the figure a statement prints for the company
 * next to consolidated net income; not the share of noncontrolling interests, nor the amount
 * left to common or participating holders. */
static int attributable_to_company(const char *key)
{
    static const char *const heads[] = {"net income attributable to ",   "net income loss attributable to ",
                                        "net earnings attributable to ", "net earnings loss attributable to ",
                                        "net loss attributable to ",     "net loss income attributable to "};
    static const char *const others[] = {"controlling", "minority", "redeemable", "participating",
                                         "preferred",   "common",   "per share",  "subsidiar"};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        size_t hl = strlen(heads[i]);
        if (strncmp(key, heads[i], hl) != 0 || !key[hl])
            continue;
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
            if (strstr(key + hl, others[k]))
                return 0;
        return 1;
    }
    return 0;
}

/* "Net income attributable to <the company> common shareholders" (or stockholders): the company
 * names its own common holders; read as "net income attributable to common shareholders". A
 * name must stand between "to" and "common" ("... to common shareholders" is in the table). */
static int company_common_holders(const char *key)
{
    static const char *const heads[] = {"net income attributable to ", "net earnings attributable to "};
    static const char *const tails[] = {" common shareholders", " common stockholders"};
    static const char *const others[] = {"controlling", "minority",  "redeemable", "participating",
                                         "preferred",   "per share", "subsidiar"};
    size_t n = strlen(key);
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        size_t hl = strlen(heads[i]);
        if (strncmp(key, heads[i], hl) != 0)
            continue;
        for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
            size_t tl = strlen(tails[t]);
            if (n <= hl + tl || strcmp(key + n - tl, tails[t]) != 0 || !strncmp(key + hl, "the ", 4))
                continue;
            for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
                if (strstr(key + hl, others[k]))
                    return 0;
            return 1;
        }
    }
    return 0;
}

/* "Cash generated by operating activities", "Net cash from operations", "Cash provided (used)
 * by operations", "Net cash flows from operating activities": [net] cash [flows], then only the
 * words provided, generated, used, by, from, in, then operating activities or operations. Not
 * "Cash flows from operating activities" (a section title) nor one part of the total ("... of
 * continuing operations", "... of discontinued operations"). */
static int operating_cash_label(const char *key)
{
    static const char *const links[] = {"provided", "generated", "used", "by", "from", "in"};
    static const char *const ends[] = {"operating activities", "operations"};
    const char *p = key;
    int net = !strncmp(p, "net ", 4);
    if (net)
        p += 4;
    if (strncmp(p, "cash ", 5))
        return 0;
    p += 5;
    /* "Net cash flows from operating activities" is the total; without "net" a section title */
    if (net && (!strncmp(p, "flows ", 6) || !strncmp(p, "flow ", 5)))
        p += strcspn(p, " ") + 1;
    int words = 0;
    for (;;) {
        for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++)
            if (!strcmp(p, ends[i]))
                return words > 0;
        size_t n = strcspn(p, " "), k = 0;
        while (k < sizeof links / sizeof links[0] && !(strlen(links[k]) == n && !strncmp(p, links[k], n)))
            k++;
        if (k == sizeof links / sizeof links[0] || !p[n])
            return 0;
        p += n + 1;
        words++;
    }
}

const char *ds_metric_for_label(const char *label, int *rank)
{
    char key[256], clean[256];
    strip_marks(label, clean, sizeof clean);
    ds_label_key(clean, key, sizeof key);
    size_t n = strlen(key);
    if (n == 0 || strstr(key, "beginning of"))
        return NULL;
    /* "Cash and cash equivalents at end of year" is the balance at the period end. */
    static const char *const tails[] = {" at end of period", " at end of year",         " end of period",
                                        " end of year",      " at the end of the year", " at end of the period"};
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        size_t tl = strlen(tails[t]);
        if (n > tl && strcmp(key + n - tl, tails[t]) == 0) {
            key[n - tl] = '\0';
            break;
        }
    }
    if (company_common_holders(key))
        snprintf(key, sizeof key, "%s", "net income attributable to common shareholders");
    if (attributable_to_company(key)) {
        if (rank)
            *rank = -1; /* before every listed net income label */
        return "net_income";
    }
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].local, key) == 0) {
            if (rank)
                *rank = (int)i;
            return labels[i].metric;
        }
    if (operating_cash_label(key)) {
        for (size_t i = 0; rank && i < sizeof labels / sizeof labels[0]; i++)
            if (!strcmp(labels[i].metric, "operating_cash_flow")) {
                *rank = (int)i; /* as the first listed operating cash flow label */
                break;
            }
        return "operating_cash_flow";
    }
    return NULL;
}

int ds_metric_rank(const char *concept)
{
    const concept_map *t;
    int i = find_concept(concept, &t);
    if (i >= 0)
        return i;
    int r = -1;
    return ds_metric_for_label(concept, &r) ? r : INT32_MAX;
}

int ds_metric_is_instant(const char *metric)
{
    if (!metric)
        return 0;
    for (size_t i = 0; i < sizeof instant_metrics / sizeof instant_metrics[0]; i++)
        if (strcmp(instant_metrics[i], metric) == 0)
            return 1;
    return 0;
}

int ds_metric_is_per_share(const char *metric)
{
    return metric && strncmp(metric, "eps_", 4) == 0;
}

int ds_metric_is_magnitude(const char *metric)
{
    static const char *const m[] = {"cost_of_revenue", "interest_expense", "depreciation_amortization", "capex"};
    if (!metric)
        return 0;
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(m[i], metric) == 0)
            return 1;
    return 0;
}

/* ---- fiscal periods ---------------------------------------------------------------------- */

/* The month a period end belongs to: a 52/53-week year may end in the first days of the next
 * month (October 1 closes a September year). */
static int effective_month(long end)
{
    int y, m, d;
    ds_date_to_ymd(end, &y, &m, &d);
    if (d <= 7)
        m = m == 1 ? 12 : m - 1;
    return m;
}

static int effective_year(long end)
{
    int y, m, d;
    ds_date_to_ymd(end, &y, &m, &d);
    if (d <= 7 && m == 1)
        y--;
    return y;
}

int ds_fiscal_period_classify(const char *start, const char *end, int fy_end_month, ds_fiscal_period *out)
{
    long e, s;
    memset(out, 0, sizeof *out);
    if (ds_date_parse(end, &e))
        return -1;
    if (fy_end_month < 1 || fy_end_month > 12)
        fy_end_month = 12;
    int m = effective_month(e), y = effective_year(e);
    /* The fiscal year a date falls in is named by the calendar year its fiscal year ends, or
     * the year before when that year ends in January to May (a retailer's year ending
     * February 1, 2025 is fiscal 2024). */
    out->fiscal_year = (m <= fy_end_month ? y : y + 1) - (fy_end_month <= 5);
    if (!start || !*start) {
        out->label = "instant";
        return 0;
    }
    if (ds_date_parse(start, &s) || s > e)
        return -1;
    out->days = (int)(e - s + 1);
    int q = ((m - fy_end_month + 12) % 12) / 3; /* quarters completed since the fiscal year end */
    if (out->days >= 350 && out->days <= 380)
        out->label = "FY";
    else if (out->days >= 84 && out->days <= 98)
        out->label = q == 0 ? "Q4" : q == 1 ? "Q1" : q == 2 ? "Q2" : "Q3";
    else if (out->days >= 175 && out->days <= 190)
        out->label = "6M";
    else if (out->days >= 266 && out->days <= 280)
        out->label = "9M";
    else
        out->label = "other";
    return 0;
}

/* ---- duplicates -------------------------------------------------------------------------- */

/* Sort key of one fact: the comparisons read everything through it (qsort has no context). */
typedef struct rkey {
    size_t idx;
    const ds_fact *f;
    int rank;       /* ds_metric_rank of the concept */
    char value[96]; /* canonical value, the value as given when not a decimal */
} rkey;

/* The canonical form of value into key[0..cap), the value as given when it is not a decimal
 * (or its canonical form does not fit); scratch is the caller's reusable buffer. */
static void value_key(const char *value, char *key, size_t cap, ds_buf *scratch)
{
    if (ds_dec_normalize(value, scratch, NULL) == DS_OK && scratch->len < cap)
        memcpy(key, scratch->data, scratch->len + 1);
    else
        snprintf(key, cap, "%s", value ? value : "");
}

static int str_cmp0(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

/* Same source, period, dimensions and unit: the group a metric is resolved in. */
static int cmp_scope(const ds_fact *a, const ds_fact *b)
{
    int c;
    if ((c = str_cmp0(a->source_extractor, b->source_extractor)) || (c = str_cmp0(a->period_start, b->period_start)) ||
        (c = str_cmp0(a->period_end, b->period_end)) || (c = str_cmp0(a->dimensions, b->dimensions)) ||
        (c = str_cmp0(a->unit, b->unit)))
        return c;
    return 0;
}

static int cmp_exact(const void *pa, const void *pb)
{
    const rkey *a = pa, *b = pb;
    const ds_fact *fa = a->f, *fb = b->f;
    int c;
    if ((c = cmp_scope(fa, fb)) || (c = str_cmp0(fa->concept, fb->concept)) || (c = strcmp(a->value, b->value)) ||
        (c = str_cmp0(fa->value_text, fb->value_text)))
        return c;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* A verified (or XBRL-reported) fact goes before the others of its metric, period, statement
 * score and label. */
static int verified_rank(const ds_fact *f)
{
    return f->verification && (!strcmp(f->verification, "verified") || !strcmp(f->verification, "reported")) ? 0 : 1;
}

static int cmp_metric(const void *pa, const void *pb)
{
    const rkey *a = pa, *b = pb;
    const ds_fact *fa = a->f, *fb = b->f;
    int c;
    if ((c = str_cmp0(fa->metric, fb->metric)) || (c = cmp_scope(fa, fb)))
        return c;
    if (fa->statement_score != fb->statement_score)
        return fa->statement_score > fb->statement_score ? -1 : 1;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    int va = verified_rank(fa), vb = verified_rank(fb);
    if (va != vb)
        return va < vb ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

ds_status ds_facts_resolve(ds_fact_list *l, ds_resolve_stats *stats, ds_err *err)
{
    ds_resolve_stats local = {0, 0};
    if (!stats)
        stats = &local;
    stats->dropped = stats->demoted = 0;
    if (!l || l->n < 2)
        return DS_OK;
    rkey *keys = ds_malloc(l->n * sizeof *keys);
    unsigned char *drop = ds_calloc(l->n, 1);
    ds_buf scratch = DS_BUF_INIT;
    if (!keys || !drop) {
        ds_free(keys);
        ds_free(drop);
        return ds_err_set(err, DS_ERR_NOMEM, "out of memory resolving %zu facts", l->n);
    }
    for (size_t i = 0; i < l->n; i++) {
        keys[i].idx = i;
        keys[i].f = &l->v[i];
        keys[i].rank = 0;
        value_key(l->v[i].value, keys[i].value, sizeof keys[i].value, &scratch);
    }
    /* 1. The same value of the same concept in several contexts: keep one, the one of the
     * highest statement_score, then the first displayed (has a text offset), else the first. */
    qsort(keys, l->n, sizeof *keys, cmp_exact);
    for (size_t i = 0; i < l->n;) {
        size_t j = i + 1;
        const ds_fact *fi = &l->v[keys[i].idx];
        while (j < l->n) {
            const ds_fact *fj = &l->v[keys[j].idx];
            if (cmp_scope(fi, fj) || str_cmp0(fi->concept, fj->concept) || strcmp(keys[i].value, keys[j].value) ||
                str_cmp0(fi->value_text, fj->value_text))
                break;
            j++;
        }
        /* the copy in the table most like a primary statement (a figure an MD&A table repeats
         * stays the statement's, to compete there with the statement's other lines), then the
         * first displayed */
        size_t keep = keys[i].idx;
        for (size_t k = i + 1; k < j; k++) {
            const ds_fact *fk = &l->v[keys[k].idx], *fp = &l->v[keep];
            if (fk->statement_score > fp->statement_score ||
                (fk->statement_score == fp->statement_score && fp->byte_off == SIZE_MAX && fk->byte_off != SIZE_MAX))
                keep = keys[k].idx;
        }
        for (size_t k = i; k < j; k++)
            if (keys[k].idx != keep) {
                drop[keys[k].idx] = 1;
                stats->dropped++;
            }
        i = j;
    }
    /* 2. One metric for one period from several concepts: the preferred concept keeps the
     * metric; the others stay as facts of their own concept without it. */
    size_t nk = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!drop[i] && l->v[i].metric) {
            keys[nk].idx = i;
            keys[nk].f = &l->v[i];
            keys[nk].rank = ds_metric_rank(l->v[i].concept);
            value_key(l->v[i].value, keys[nk].value, sizeof keys[nk].value, &scratch);
            nk++;
        }
    qsort(keys, nk, sizeof *keys, cmp_metric);
    for (size_t i = 0; i < nk;) {
        size_t j = i + 1;
        const ds_fact *fi = &l->v[keys[i].idx];
        while (j < nk && !str_cmp0(fi->metric, l->v[keys[j].idx].metric) && !cmp_scope(fi, &l->v[keys[j].idx]))
            j++;
        const char *best = fi->concept;
        for (size_t k = i + 1; k < j; k++) {
            ds_fact *fk = &l->v[keys[k].idx];
            /* the same concept with the same value twice is not an alternative */
            if (str_cmp0(fk->concept, best) != 0 || strcmp(keys[k].value, keys[i].value) != 0) {
                fk->metric = NULL;
                stats->demoted++;
            }
        }
        i = j;
    }
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++)
        if (!drop[i])
            l->v[o++] = l->v[i];
    l->n = o;
    ds_free(keys);
    ds_free(drop);
    ds_buf_deinit(&scratch);
    return DS_OK;
}
