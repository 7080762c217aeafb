/* Breakpoint conditions over names: frame-0 locals in nested blocks (shadowing),
   arguments, struct members, recursion, globals and a file static. Lines marked
   COND:<tag> are where the tests break. */
#include <stdio.h>

struct pt { int x; int y; };
int global_n = 0;
static int file_static = 3;

int depth(int n)
{
    int local = n * 2;
    if (n == 0)
        return local;                   /* COND:leaf */
    return depth(n - 1) + local;
}

int shadow(int k)
{
    int v = k;
    for (int i = 0; i < 10; i++) {
        int v = i * 10;
        global_n += v;                  /* COND:inner */
    }
    file_static += k;
    return v;                           /* COND:outer */
}

long mixed(unsigned char c, long big, struct pt p)
{
    return c + big + p.x;               /* COND:mixed */
}

int main(void)
{
    long sum = 0;
    for (int k = 0; k < 6; k++)
        sum += shadow(k) + depth(k);
    for (int j = 0; j < 300; j++) {
        struct pt p = { j % 7, j };
        sum += mixed((unsigned char)j, j - 150, p);
    }
    printf("%ld %d\n", sum, file_static);
    return 0;
}
