/*
 * Linked into the release binary by packaging/build-release-binary, so that a binary built on
 * Debian 12 (glibc 2.36, GCC 12's libstdc++) runs on Amazon Linux 2023 and RHEL 9 (glibc 2.34,
 * GCC 11's libstdc++). Three functions that the Swift runtime and Foundation call got new symbol
 * versions in the newer libraries:
 *
 *   hypot, hypotf                        GLIBC_2.35     (older: GLIBC_2.2.5)
 *   std::condition_variable::wait(lock)  GLIBCXX_3.4.30 (older: GLIBCXX_3.4.11)
 *
 * `ld --wrap=NAME` sends every reference to them to __wrap_NAME below, which calls the older
 * version, found once with dlvsym(3) in its library: both library generations carry it, and it
 * behaves the same for these calls. (A `.symver` reference cannot be used here: --wrap would
 * redirect it to the wrapper too.) tests/systemd/test_rpm.py checks that the RPM needs nothing newer than glibc 2.34
 * and GCC 11, and the packaged binary runs the daemon in the tests.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

/* The library is loaded already (the binary links it); dlopen only takes a reference. */
static void *older(const char *library, const char *name, const char *version) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
    void *function = handle == NULL ? NULL : dlvsym(handle, name, version);
    if (function == NULL) {
        fprintf(stderr, "appflowd: %s@%s not found in %s: %s\n", name, version, library, dlerror());
        abort();
    }
    return function;
}

/* Resolved on first use; two threads racing store the same pointer. */
#define RESOLVED(cache, type, library, name, version)                          \
    type function = __atomic_load_n(&cache, __ATOMIC_ACQUIRE);                 \
    if (function == NULL) {                                                    \
        function = (type)older(library, name, version);                        \
        __atomic_store_n(&cache, function, __ATOMIC_RELEASE);                  \
    }

typedef double (*hypot_type)(double, double);
typedef float (*hypotf_type)(float, float);
typedef void (*wait_type)(void *, void *);
static hypot_type hypot_cache;
static hypotf_type hypotf_cache;
static wait_type wait_cache;

double __wrap_hypot(double x, double y) {
    RESOLVED(hypot_cache, hypot_type, "libm.so.6", "hypot", "GLIBC_2.2.5")
    return function(x, y);
}

float __wrap_hypotf(float x, float y) {
    RESOLVED(hypotf_cache, hypotf_type, "libm.so.6", "hypotf", "GLIBC_2.2.5")
    return function(x, y);
}

/* std::condition_variable::wait(std::unique_lock<std::mutex>&): `this` and the lock. */
void __wrap__ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE(void *condition, void *lock) {
    RESOLVED(wait_cache, wait_type, "libstdc++.so.6", "_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE", "GLIBCXX_3.4.11")
    function(condition, lock);
}
