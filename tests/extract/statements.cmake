# Statement accuracy against the hand-read truth in tests/extract/data/statements_truth (skips
# while that folder or ../shared/data is absent). The floor (per mille right) and the ceiling
# (wrong values shown) are the levels measured when committed: raise them as reading improves.
# Every check also fails when a value that disagrees with the truth is shown verified or
# reported (bench_statements counts every such fact): the product's promise, not a level.
# --min-identity: document identity fields (company, form, period end) read right, 3 a document.
# A fast subset of small filings (10-Q, earnings release, a short 10-K) runs everywhere.
ds_add_script_test(NAME t_extract_statement_truth
  COMMAND $<TARGET_FILE:bench_statements> --check 1000 0
          --only APPLE_2022_10K --only CORNING_2023Q2_10Q --only EBAY_2023Q2_EARNINGS --only PAYPAL_2023Q2_10Q
          --min-identity 12
  LABELS extract TIMEOUT 300)
# The statement PDFs whose truth was measured for the committed level (about a minute; label
# slow, so not under ASan). Filings added later are scored by `make bench` (bench_statements).
ds_add_script_test(NAME t_extract_statement_truth_corpus
  COMMAND $<TARGET_FILE:bench_statements> --check 1000 0
          --only 3M_2022_10K --only ACTIVISIONBLIZZARD_2019_10K --only AES_2021_10K --only AMAZON_2019_10K
          --only AMCOR_2023Q4_EARNINGS --only AMCOR_2023_10K --only AMERICANEXPRESS_2022_10K
          --only APPLE_2022_10K --only BLOCK_2020_10K --only BOEING_2022_10K --only COCACOLA_2020_10K
          --only CORNING_2023Q2_10Q --only CVSHEALTH_2022_10K --only EBAY_2023Q2_EARNINGS
          --only FEDEX_2023_annualreport --only JOHNSON_JOHNSON_2022_10K
          --only JOHNSON_JOHNSON_2023Q2_EARNINGS --only MCDONALDS_2022_10K --only MICROSOFT_2023_10K
          --only NIKE_2021_10K --only ORACLE_2023_10K --only PAYPAL_2023Q2_10Q
          --min-identity 66
  LABELS extract slow TIMEOUT 900)
