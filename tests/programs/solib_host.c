/* dlopen / dlclose a library ROUNDS times (argv[2], default 3), calling plugin_fn
 * from it each time (HARD-CASES E8). argv[1] is the library, as dlopen gets it.
 * tests/test_solib.py uses these line numbers: keep them stable. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static int twin(int x)
{
    return x * 3;
}

int main(int argc, char **argv)
{
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    int total = twin(1);
    for (int i = 0; i < rounds; i++) {
        void *h = dlopen(argv[1], RTLD_NOW);
        if (!h) {
            fprintf(stderr, "%s\n", dlerror());
            return 2;
        }
        int (*fn)(int) = (int (*)(int))dlsym(h, "plugin_fn");
        total += fn(i + 1);
        dlclose(h);
    }
    total += twin(2);
    printf("total=%d\n", total);
    return 0;
}
