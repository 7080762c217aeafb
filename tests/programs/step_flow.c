/* Source-level stepping fixture (HARD-CASES B1-B5, B8, C1): calls, recursion,
 * loops, a breakpoint on a stepped-to line, longjmp, a signal handler, exit.
 * argv[1] picks the ending: "sig" raises SIGUSR1, "exit" calls exit(3).
 * tests/test_stepping.py uses these line numbers: keep them stable. */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf env;
static volatile int handled;

int add(int a, int b)
{
    int s = a + b;
    return s;
}

int depth(int n)
{
    if (n == 0)
        return 0;
    int r = depth(n - 1);
    return r + 1;
}

static void jumper(int v)
{
    longjmp(env, v);
}

static void handler(int sig)
{
    handled += sig;
}

int sum_to(int n) { int t = 0; for (int i = 0; i < n; i++) t += i; return t; }

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int total = add(1, 2);
    puts("after add");
    total += depth(50);
    for (int i = 0; i < 3; i++) total += i;
    int k = 0;
    while (k < 4) {
        k++;
        total += k;
    }
    total += sum_to(4);
    if (strcmp(mode, "sig") == 0) {
        signal(SIGUSR1, handler);
        raise(SIGUSR1);
    }
    int j = setjmp(env);
    if (j == 0)
        jumper(7);
    total += j + handled;
    printf("total %d\n", total);
    if (strcmp(mode, "exit") == 0)
        exit(3);
    return 0;
}
