/* A call straight onto a breakpoint: stepping off the caller's breakpoint lands on the
   callee's first instruction, itself a breakpoint (tests/test_bp_adjacent.py). */
volatile int v;

void f0(void) { v += 1; }

int main(void)
{
    for (int i = 0; i < 3; i++)
        f0();
    return v == 3 ? 0 : 1;
}
