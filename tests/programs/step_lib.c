/* A shared library of our own, built with -g -shared -fPIC (HARD-CASES B3): its
 * functions are reached from step_plt.c through the PLT, bound lazily. */
int lib_counter;

int lib_fn(int x)
{
    lib_counter += x;
    return lib_counter * 2;
}

int lib_twice(int x)
{
    int once = lib_fn(x);
    return once + lib_fn(x);
}
