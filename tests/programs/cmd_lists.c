/* Breakpoint command lists, user commands and scripts (tests/test_command_lists.py):
   bump() is hit once per loop turn with a known argument. */
#include <stdio.h>

static int total;

int bump(int v)
{
    total += v;          /* bump line */
    return total;
}

int main(void)
{
    int i;
    for (i = 0; i < 4; i++) {
        bump(i);         /* loop line */
    }
    printf("total %d\n", total);
    return 0;            /* end line */
}
