# Query the ntrkkg SPARQL endpoint from R, with httr2 and jsonlite (Debian: r-cran-httr2, r-cran-jsonlite).
#
#   Rscript docs/r/query.R [ENDPOINT]      # default http://127.0.0.1:8000/sparql
#
# Or source() it and call sparql_select() and sparql_construct() on your own queries.

suppressPackageStartupMessages({
  library(httr2)
  library(jsonlite)
})

# POST a query as a form (the SPARQL 1.1 Protocol) and return the response body as text.
sparql_request <- function(endpoint, query, accept) {
  response <- request(endpoint) |>
    req_body_form(query = query) |>
    req_headers(Accept = accept) |>
    req_user_agent("ntrkkg R example") |>
    req_error(is_error = function(resp) FALSE) |>
    req_perform()
  body <- resp_body_string(response, encoding = "UTF-8")
  if (resp_status(response) >= 400) {
    stop(sprintf("the endpoint answered %d: %s", resp_status(response), trimws(body)), call. = FALSE)
  }
  body
}

# A SELECT as a data frame of strings (IRIs and lexical forms; NA where a variable is unbound); an ASK as TRUE or FALSE.
sparql_select <- function(endpoint, query) {
  results <- fromJSON(sparql_request(endpoint, query, "application/sparql-results+json"), simplifyVector = FALSE)
  if (!is.null(results$boolean)) return(isTRUE(results$boolean))
  variables <- unlist(results$head$vars)
  rows <- results$results$bindings
  columns <- lapply(variables, function(v) {
    vapply(rows, function(row) if (is.null(row[[v]])) NA_character_ else row[[v]]$value, character(1))
  })
  names(columns) <- variables
  as.data.frame(columns, stringsAsFactors = FALSE, optional = TRUE)
}

# A CONSTRUCT or DESCRIBE as a data frame of triples, read from N-Triples (terms kept as N-Triples writes them).
sparql_construct <- function(endpoint, query) {
  lines <- strsplit(sparql_request(endpoint, query, "application/n-triples"), "\n", fixed = TRUE)[[1]]
  lines <- lines[nzchar(trimws(lines))]
  pattern <- "^(<[^>]*>|_:\\S+) (<[^>]*>) (.*) \\.$"
  if (!all(grepl(pattern, lines))) stop("the endpoint did not answer in N-Triples", call. = FALSE)
  data.frame(
    subject = sub(pattern, "\\1", lines),
    predicate = sub(pattern, "\\2", lines),
    object = sub(pattern, "\\3", lines),
    stringsAsFactors = FALSE
  )
}

if (sys.nframe() == 0L) {  # run as a script, not source()d
  args <- commandArgs(trailingOnly = TRUE)
  endpoint <- if (length(args) >= 1) args[[1]] else "http://127.0.0.1:8000/sparql"

  partners <- sparql_select(endpoint, "
    PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT DISTINCT ?partner ?fusion WHERE {
      ?f ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3> ;
         ntrkkg:fivePrimePartner/rdfs:label ?partner ;
         rdfs:label ?fusion .
    } ORDER BY ?partner")
  cat("# SELECT: the 5' partners of NTRK3\n")
  write.table(partners, stdout(), sep = "\t", quote = FALSE, row.names = FALSE)

  fusions <- sparql_construct(endpoint, "
    PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    CONSTRUCT { ?f rdfs:label ?label ; ntrkkg:fivePrimePartner ?gene }
    WHERE {
      ?f ntrkkg:threePrimePartner <https://w3id.org/ntrkkg/gene/NTRK3> ;
         ntrkkg:fivePrimePartner ?gene ;
         rdfs:label ?label .
    }")
  fusions <- fusions[order(fusions$subject, fusions$predicate, fusions$object), ]
  cat("# CONSTRUCT: the NTRK3 fusions, their labels and 5' partners\n")
  write.table(fusions, stdout(), sep = "\t", quote = FALSE, row.names = FALSE)
}
