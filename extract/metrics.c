/* metrics.c - the map from us-gaap / ifrs-full concepts to dossier's canonical credit metrics.
 * A read-only table; the first matching concept in table order is the preferred one for a
 * metric (later issues rank alternatives). Reentrant. */
#include "extract/facts.h"

#include <string.h>

typedef struct concept_map {
    const char *local; /* concept name without prefix */
    const char *metric;
} concept_map;

/* us-gaap concepts (the taxonomy's element names). */
static const concept_map usgaap[] = {
    {"Revenues", "revenue"},
    {"RevenueFromContractWithCustomerExcludingAssessedTax", "revenue"},
    {"RevenueFromContractWithCustomerIncludingAssessedTax", "revenue"},
    {"SalesRevenueNet", "revenue"},
    {"SalesRevenueGoodsNet", "revenue"},
    {"CostOfRevenue", "cost_of_revenue"},
    {"CostOfGoodsAndServicesSold", "cost_of_revenue"},
    {"CostOfGoodsSold", "cost_of_revenue"},
    {"GrossProfit", "gross_profit"},
    {"OperatingIncomeLoss", "operating_income"},
    {"NetIncomeLoss", "net_income"},
    {"ProfitLoss", "net_income"},
    {"NetIncomeLossAvailableToCommonStockholdersBasic", "net_income"},
    {"EarningsPerShareBasic", "eps_basic"},
    {"EarningsPerShareDiluted", "eps_diluted"},
    {"Assets", "total_assets"},
    {"AssetsCurrent", "current_assets"},
    {"LiabilitiesCurrent", "current_liabilities"},
    {"Liabilities", "total_liabilities"},
    {"StockholdersEquity", "equity"},
    {"StockholdersEquityIncludingPortionAttributableToNoncontrollingInterest", "equity"},
    {"CashAndCashEquivalentsAtCarryingValue", "cash"},
    {"CashCashEquivalentsRestrictedCashAndRestrictedCashEquivalents", "cash"},
    {"Cash", "cash"},
    {"NetCashProvidedByUsedInOperatingActivities", "operating_cash_flow"},
    {"PaymentsToAcquirePropertyPlantAndEquipment", "capex"},
    {"PaymentsToAcquireProductiveAssets", "capex"},
    {"DebtCurrent", "short_term_debt"},
    {"ShortTermBorrowings", "short_term_debt"},
    {"LongTermDebtCurrent", "short_term_debt"},
    {"LongTermDebtNoncurrent", "long_term_debt"},
    {"LongTermDebt", "long_term_debt"},
    {"LongTermDebtAndCapitalLeaseObligations", "long_term_debt"},
    {"InterestExpense", "interest_expense"},
    {"InterestExpenseNonoperating", "interest_expense"},
    {"InterestExpenseDebt", "interest_expense"},
    {"DepreciationDepletionAndAmortization", "depreciation_amortization"},
    {"DepreciationAndAmortization", "depreciation_amortization"},
    {"DepreciationAmortizationAndAccretionNet", "depreciation_amortization"},
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
    {"Equity", "equity"},
    {"EquityAttributableToOwnersOfParent", "equity"},
    {"CashAndCashEquivalents", "cash"},
    {"CashFlowsFromUsedInOperatingActivities", "operating_cash_flow"},
    {"PurchaseOfPropertyPlantAndEquipmentClassifiedAsInvestingActivities", "capex"},
    {"ShorttermBorrowings", "short_term_debt"},
    {"CurrentPortionOfLongtermBorrowings", "short_term_debt"},
    {"NoncurrentPortionOfNoncurrentBorrowings", "long_term_debt"},
    {"LongtermBorrowings", "long_term_debt"},
    {"InterestExpense", "interest_expense"},
    {"FinanceCosts", "interest_expense"},
    {"DepreciationAndAmortisationExpense", "depreciation_amortization"},
};

const char *ds_metric_for_concept(const char *concept)
{
    if (!concept)
        return NULL;
    const concept_map *table;
    size_t n;
    const char *local;
    if (strncmp(concept, "us-gaap:", 8) == 0) {
        table = usgaap;
        n = sizeof usgaap / sizeof usgaap[0];
        local = concept + 8;
    } else if (strncmp(concept, "ifrs-full:", 10) == 0) {
        table = ifrs;
        n = sizeof ifrs / sizeof ifrs[0];
        local = concept + 10;
    } else {
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].local, local) == 0)
            return table[i].metric;
    return NULL;
}
