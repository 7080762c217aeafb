/* The other unit of where_static_a: same static names, different code. */
#define WHERE_INLINE_AS_HEADER
#include "where_inline.c"

static int counter = 5;

static int helper(int x)
{
    int y = x;
    for (int i = 0; i < 3; i++)
        y += i;
    counter -= y;
    return counter;
}

int call_b(int x)
{
    return helper(x) + clamp(x, 1, 9) + twice(counter);
}
