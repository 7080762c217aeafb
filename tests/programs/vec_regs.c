/* Known values in the x87 stack, xmm0/xmm1 and (run with an argument, on a CPU with
   AVX) ymm0, for tests/test_vector_registers.py; every other vector register zeroed. */
#include <stdint.h>

static const uint32_t lanes[8] __attribute__((aligned(32))) = {
    0x3f800000u, 0xc0490fdbu, 0x12345678u, 0xffffffffu, 5u, 6u, 0x7f7fffffu, 0x80000000u};
static const uint32_t ones[4] __attribute__((aligned(16))) = {0xffu, 0xffu, 0xffu, 0u};
volatile long double ld = 3.0L;

static void __attribute__((noinline)) check(void)
{
    __asm__ volatile("" : : : "memory");   /* stop here */
}

int main(int argc, char **argv)
{
    (void)argv;
    long double x = ld * 2.5L;
    if (argc > 1) {
        __asm__ volatile("vzeroall\n\tvmovdqu %0, %%ymm0" : : "m"(lanes) : "xmm0", "xmm1", "xmm2",
                         "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
                         "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    } else {
        __asm__ volatile("pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\tpxor %%xmm4, %%xmm4\n\t"
                         "pxor %%xmm5, %%xmm5\n\tpxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
                         "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\t"
                         "pxor %%xmm11, %%xmm11\n\tpxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
                         "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15\n\tmovdqa %0, %%xmm0"
                         : : "m"(lanes[0]) : "xmm0", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6",
                         "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
                         "xmm15");
    }
    __asm__ volatile("movdqa %0, %%xmm1" : : "m"(ones) : "xmm1");
    __asm__ volatile("fldt %0\n\tfld1" : : "m"(x));
    check();
    return 0;
}
