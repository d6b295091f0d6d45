/* For testing pufa.exe under wine only: wine 8 has no bcryptprimitives.dll with ProcessPrng,
 * which Rust's standard library imports for random numbers on Windows 10 and later. This
 * stand-in forwards to RtlGenRandom (advapi32's SystemFunction036), which wine has. It is
 * built with mingw by .ci/run and never shipped. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
