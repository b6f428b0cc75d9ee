/* Baseline for `cargo xtask bench screen`: Hyperscan (Debian's libhyperscan) matching the same
 * literal patterns over the same messages as Muninn's screener, one message per scan (block
 * mode), one core. Substring meaning: no word boundaries, no folding beyond ASCII case.
 *
 * Usage: hyperscan PATTERNS MESSAGES  (one pattern, one message a line)
 * Prints one JSON object with messages/s case-sensitive and caseless (median of 3 runs each). */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct lines { char **text; size_t *len; size_t count; };

static struct lines read_lines(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(2); }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    char *data = malloc(size + 1);
    if (fread(data, 1, size, file) != (size_t)size) { perror("read"); exit(2); }
    fclose(file);
    data[size] = 0;
    struct lines out = {0};
    size_t capacity = 1024;
    out.text = malloc(capacity * sizeof(char *));
    out.len = malloc(capacity * sizeof(size_t));
    char *start = data;
    for (long i = 0; i <= size; i++) {
        if (i == size || data[i] == '\n') {
            size_t len = (size_t)(data + i - start);
            if (len > 0) {
                if (out.count == capacity) {
                    capacity *= 2;
                    out.text = realloc(out.text, capacity * sizeof(char *));
                    out.len = realloc(out.len, capacity * sizeof(size_t));
                }
                out.text[out.count] = start;
                out.len[out.count] = len;
                out.count++;
            }
            start = data + i + 1;
        }
    }
    return out;
}

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    (*(size_t *)ctx)++;
    return 0;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double run(struct lines *patterns, struct lines *messages, unsigned int flag, size_t *matches) {
    unsigned int *flags = malloc(patterns->count * sizeof(unsigned int));
    unsigned int *ids = malloc(patterns->count * sizeof(unsigned int));
    for (size_t i = 0; i < patterns->count; i++) { flags[i] = flag | HS_FLAG_SINGLEMATCH; ids[i] = (unsigned int)i; }
    hs_database_t *db = NULL;
    hs_compile_error_t *error = NULL;
    if (hs_compile_lit_multi((const char *const *)patterns->text, flags, ids, patterns->len, (unsigned int)patterns->count,
                             HS_MODE_BLOCK, NULL, &db, &error) != HS_SUCCESS) {
        fprintf(stderr, "hyperscan compile: %s\n", error->message);
        exit(3);
    }
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    double rates[3];
    for (int r = 0; r < 3; r++) {
        *matches = 0;
        double started = now();
        for (size_t i = 0; i < messages->count; i++) {
            hs_scan(db, messages->text[i], (unsigned int)messages->len[i], 0, scratch, on_match, matches);
        }
        rates[r] = messages->count / (now() - started);
    }
    qsort(rates, 3, sizeof(double), compare);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(flags);
    free(ids);
    return rates[1];
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: hyperscan PATTERNS MESSAGES\n"); return 2; }
    struct lines patterns = read_lines(argv[1]);
    struct lines messages = read_lines(argv[2]);
    size_t sensitive_matches = 0, caseless_matches = 0;
    double sensitive = run(&patterns, &messages, 0, &sensitive_matches);
    double caseless = run(&patterns, &messages, HS_FLAG_CASELESS, &caseless_matches);
    printf("{\"hyperscan_msgs_per_s_per_core\": %.0f, \"hyperscan_caseless_msgs_per_s_per_core\": %.0f, "
           "\"hyperscan_matches\": %zu, \"hyperscan_caseless_matches\": %zu}\n",
           sensitive, caseless, sensitive_matches, caseless_matches);
    return 0;
}
