/* The library solib_host dlopens (HARD-CASES E8); tests/test_solib.py builds it
 * with -shared -fPIC. twin() has a namesake in the host: one breakpoint, two
 * objects. */
int plugin_counter;

static int twin(int x)
{
    return x + 1;
}

int plugin_fn(int x)
{
    plugin_counter += twin(x);
    return x * 2;
}
