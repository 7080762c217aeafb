/* The user's values: value history, convenience variables, $_siginfo (run with an
 * argument it writes to (int *)8), minimal symbols (puts, environ) and FUNC::name. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

static int calls;
int counter = 3;
int table[4] = { 10, 20, 30, 40 };

int add(int a, int b)
{
    static int total;
    calls++;
    total += a + b;
    return a + b;                       /* MARK:add */
}

int main(int argc, char **argv)
{
    (void)argv;
    int r = add(argc, 2);
    r += add(r, 3);
    puts(environ[0] ? "done" : "no environment");
    if (argc > 1) {
        int *bad = (int *)8;
        *bad = r;                       /* MARK:crash */
    }
    return r & 7;
}
