//! Load, validate, enrich and render (HTML, Markdown, JSON) arbitrary maps.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = journeymap::fuzzing::render(data);
});
