/* An indirect call with the notrack prefix (CET's nocf_check): `nexti` and `next`
   must step over it like any call. */
#include <stdio.h>

static int hits;
static void __attribute__((nocf_check)) target(void) { hits++; }
void (*volatile fp)(void) __attribute__((nocf_check)) = target;

int main(void)
{
    fp();                       /* NOTRACK */
    printf("%d\n", hits);
    return 0;
}
