/* Hand-written CFI for the rule kinds compilers rarely emit, on a real call chain:
 *   main -> with_cleanup (C, -fexceptions: a "zPLR" CIE with personality + LSDA)
 *        -> ra_in_reg (asm: return address kept in rbx, its stack copy zeroed)
 *        -> exotic    (asm: CFA by expression, DW_CFA_*_sf, expression rules,
 *                      remember/restore state, advance_loc2/4)
 *        -> cfi_target (C; the breakpoint).
 * Build with -fexceptions. */
#include <stdlib.h>

volatile long sink;

__attribute__((noinline)) long cfi_target(long x)
{
    sink = x;
    return x + 1;
}

long ra_in_reg(long x);
long exotic(long x);

asm(".text\n"
    ".globl ra_in_reg\n"
    ".type ra_in_reg, @function\n"
    "ra_in_reg:\n"
    "  .cfi_startproc\n"
    "  subq $24, %rsp\n"
    "  .cfi_adjust_cfa_offset 24\n"
    "  movq %rbx, (%rsp)\n"
    "  .cfi_offset 3, -32\n"                 /* rbx at cfa-32 */
    "  .cfi_val_offset 7, 0\n"               /* caller's rsp = cfa: val_offset */
    "  movq 24(%rsp), %rbx\n"
    "  .cfi_register 16, 3\n"                /* return address now in rbx */
    "  movq $0, 24(%rsp)\n"                  /* so only the register rule can find it */
    "  call exotic\n"
    "  movq %rbx, 24(%rsp)\n"
    "  .cfi_offset 16, -8\n"
    "  movq (%rsp), %rbx\n"
    "  .cfi_restore 3\n"
    "  addq $24, %rsp\n"
    "  .cfi_adjust_cfa_offset -24\n"
    "  ret\n"
    "  .cfi_endproc\n"
    ".size ra_in_reg, .-ra_in_reg\n"

    ".globl exotic\n"
    ".type exotic, @function\n"
    "exotic:\n"
    "  .cfi_startproc\n"
    "  pushq %rbp\n"
    "  .cfi_def_cfa_offset 16\n"
    "  .cfi_offset 6, -16\n"
    "  movq %rsp, %rbp\n"
    "  .cfi_escape 0x12, 0x06, 0x7e\n"       /* def_cfa_sf rbp, -2 * -8 = 16 */
    "  pushq %r13\n"
    "  .cfi_escape 0x11, 0x0d, 0x03\n"       /* offset_extended_sf r13, 3 * -8 */
    "  pushq %r14\n"
    "  .cfi_escape 0x10, 0x0e, 0x03, 0x08, 0x20, 0x1c\n" /* expression r14: cfa - 32 */
    "  .cfi_escape 0x16, 0x07, 0x02, 0x23, 0x00\n"       /* val_expression rsp: cfa + 0 */
    "  .cfi_escape 0x0f, 0x02, 0x76, 0x10\n"             /* def_cfa_expression rbp + 16 */
    "  .cfi_same_value 12\n"
    "  .cfi_undefined 10\n"
    "  .cfi_escape 0x2e, 0x00\n"             /* GNU_args_size 0 */
    "  jmp 1f\n"
    "  .skip 300, 0xcc\n"                    /* the next row needs advance_loc2 */
    "1:\n"
    "  movq $0x1111, %r13\n"
    "  .cfi_escape 0x15, 0x0c, 0x00\n"       /* val_offset_sf r12... */
    "  .cfi_same_value 12\n"                 /* ...and back: same_value */
    "  jmp 2f\n"
    "  .skip 70000, 0xcc\n"                  /* and this one advance_loc4 */
    "2:\n"
    "  movq $0x2222, %r14\n"
    "  .cfi_remember_state\n"
    "  call cfi_target\n"
    "  testq %rax, %rax\n"
    "  js 3f\n"
    "  popq %r14\n"
    "  popq %r13\n"
    "  .cfi_escape 0x06, 0x0d\n"             /* restore_extended r13 */
    "  popq %rbp\n"
    "  .cfi_def_cfa 7, 8\n"
    "  ret\n"
    "3:\n"
    "  .cfi_restore_state\n"
    "  movq -16(%rbp), %r14\n"
    "  movq -8(%rbp), %r13\n"
    "  leave\n"
    "  .cfi_def_cfa 7, 8\n"
    "  ret\n"
    "  .cfi_endproc\n"
    ".size exotic, .-exotic\n");

static void release(long *p)
{
    sink = *p;
}

__attribute__((noinline)) long with_cleanup(long n)
{
    long guard __attribute__((cleanup(release))) = n * 3;
    long r = ra_in_reg(n);
    return r + guard;
}

int main(int argc, char **argv)
{
    (void)argv;
    sink = with_cleanup(argc + 40);
    return 0;
}
