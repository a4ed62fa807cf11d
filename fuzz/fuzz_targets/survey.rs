//! Survey reading (every source and layout) on arbitrary CSV bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = journeymap::fuzzing::survey(data);
});
