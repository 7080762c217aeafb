/* Calls into our own shared library (step_lib.c) through the PLT, lazily bound:
 * the first call of lib_fn goes through the dynamic linker's resolver, the second
 * is direct (HARD-CASES B3). tests/test_stepping.py uses these line numbers. */
#include <stdio.h>

int lib_fn(int x);
int lib_twice(int x);

int main(void)
{
    int a = lib_fn(1);
    int b = lib_fn(2);
    puts("between");
    int c = lib_twice(a + b);
    printf("%d %d %d\n", a, b, c);
    return 0;
}
