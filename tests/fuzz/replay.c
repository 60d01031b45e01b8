/* replay.c - runs a libFuzzer target over a corpus without libFuzzer (plain ctest builds).
 * Arguments are files or folders; every file is fed once. Also feeds a few built-in edge inputs
 * (empty, one byte, all 0xFF) so a target is exercised even with no corpus. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int feed_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    if (!buf)
        return -1;
    /* Every prefix length class too: truncated inputs are the commonest damage. */
    LLVMFuzzerTestOneInput(buf, got);
    if (got > 1)
        LLVMFuzzerTestOneInput(buf, got / 2);
    free(buf);
    return 0;
}

static int feed(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return feed_file(path);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (feed(p) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    static const uint8_t ff[64] = {[0 ... 63] = 0xFF};
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    LLVMFuzzerTestOneInput((const uint8_t *)"<", 1);
    LLVMFuzzerTestOneInput(ff, sizeof ff);
    int files = 0;
    for (int i = 1; i < argc; i++) {
        if (feed(argv[i]) != 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        files++;
    }
    printf("replay: fed built-in inputs and %d corpus path(s)\n", files);
    return 0;
}
