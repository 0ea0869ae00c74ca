/* Screens each file given (or a pair given as HIGH=LOW) and prints one record per line, as
 * `armscan scan --jsonl` does. Build: cc screen.c -I../include -L../../../target/release
 * -larmscan_c. Usage: screen [--model MANIFEST] [--backend auto|tract|onnxruntime]
 * [--buffer yes] FILE...   (--buffer yes: read each file into memory, screen the buffer) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "armscan.h"

/* Screens the file at `path` from memory, named by its path. */
static ArmscanStatus screen_in_memory(const ArmscanScreener *s, const char *path, char **json) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return armscan_screen_buffer(s, path, NULL, 0, json);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(n > 0 ? (size_t)n : 1);
    size_t got = data ? fread(data, 1, (size_t)n, f) : 0;
    fclose(f);
    ArmscanStatus status = armscan_screen_buffer(s, path, data, got, json);
    free(data);
    return status;
}

int main(int argc, char **argv) {
    const char *model = NULL, *backend = "auto";
    int buffer = 0;
    int first = 1;
    while (first + 1 < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--model") == 0) model = argv[first + 1];
        else if (strcmp(argv[first], "--backend") == 0) backend = argv[first + 1];
        else if (strcmp(argv[first], "--buffer") == 0) buffer = strcmp(argv[first + 1], "yes") == 0;
        else { fprintf(stderr, "unknown option %s\n", argv[first]); return 2; }
        first += 2;
    }
    ArmscanScreener *screener = NULL;
    if (armscan_screener_open(model, backend, 0, &screener) != ARMSCAN_OK) {
        fprintf(stderr, "armscan %s: %s\n", armscan_version(), armscan_last_error());
        return 2;
    }
    int failed = 0;
    for (int i = first; i < argc; i++) {
        char *json = NULL;
        char *eq = strchr(argv[i], '=');
        ArmscanStatus status;
        if (eq != NULL) {
            *eq = '\0';
            status = armscan_screen_pair(screener, argv[i], eq + 1, &json);
        } else if (buffer) {
            status = screen_in_memory(screener, argv[i], &json);
        } else {
            status = armscan_screen_file(screener, argv[i], &json);
        }
        if (status != ARMSCAN_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], armscan_last_error());
            failed = 1;
            continue;
        }
        puts(json);
        armscan_string_free(json);
    }
    /* misuse is an error code and a message, not a crash */
    if (armscan_screen_file(screener, NULL, NULL) != ARMSCAN_INVALID_ARGUMENT) failed = 1;
    armscan_screener_close(screener);
    return failed ? 2 : 0;
}
