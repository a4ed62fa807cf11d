//! Map loading and validation on arbitrary bytes: never a panic, never a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = journeymap::fuzzing::map(data);
});
