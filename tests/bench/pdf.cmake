# pdf.cmake - bench_pdf: pages/s of ds_pdf_parse against pdftotext -layout, 1 and 2 workers.
# Run: build/tests/bench_pdf [-r rounds] [pdf files or folders]   (default ../shared/data/financial_pdf)
ds_add_bench(NAME bench_pdf SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_pdf.c)
# bench_statements: key metrics of the statement PDFs against tests/extract/data/statements_truth.
# Run: build/tests/bench_statements [--only NAME]... [truth_dir]   (make bench runs it)
ds_add_bench(NAME bench_statements SOURCES ${CMAKE_SOURCE_DIR}/tests/bench/bench_statements.c)
