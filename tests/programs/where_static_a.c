/* Two units each with a static `helper` and `counter` (built together with
   where_static_b.c), plus a header-defined inline used by both. */
#include <stdio.h>

#define WHERE_INLINE_AS_HEADER
#include "where_inline.c"

static int counter;

static int helper(int x)
{
    counter += x;
    return counter * 2;
}

int call_b(int x);

int main(int argc, char **argv)
{
    (void)argv;
    int r = helper(argc);
    r += call_b(argc);
    r += clamp(r, 0, 100);
    bump(r);
    printf("%d\n", r);
    return 0;
}
