//! What is done to the page: the viewport and media set, sizes measured, the screenshot or
//! PDF taken, the PDF's dates fixed.

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::MAX_PNG_HEIGHT;
use super::cdp::{Cdp, bytes};

pub(super) fn viewport(cdp: &mut Cdp, width: u32, height: u32, scale: f64) -> Result<()> {
    let size =
        json!({"width": width, "height": height, "deviceScaleFactor": scale, "mobile": false});
    cdp.call("Emulation.setDeviceMetricsOverride", size)?;
    Ok(())
}

pub(super) fn media(cdp: &mut Cdp, media: &str) -> Result<()> {
    cdp.call("Emulation.setEmulatedMedia", json!({ "media": media }))?;
    Ok(())
}

/// A number the page works out (DevTools evaluation is not bound by the page's CSP).
pub(super) fn number(cdp: &mut Cdp, expression: &str) -> Result<f64> {
    let asked = json!({"expression": expression, "returnByValue": true});
    let r = cdp.call("Runtime.evaluate", asked)?;
    Ok(r["result"]["value"].as_f64().unwrap_or(0.0))
}

/// The laid-out size of the whole page, in CSS pixels.
pub(super) fn content_size(cdp: &mut Cdp) -> Result<(f64, f64)> {
    let m = cdp.call("Page.getLayoutMetrics", json!({}))?;
    let size = &m["cssContentSize"];
    let px = |v: &Value| v.as_f64().unwrap_or(0.0);
    Ok((px(&size["width"]), px(&size["height"])))
}

pub(super) fn screenshot(cdp: &mut Cdp, width: u32, scale: f64) -> Result<Vec<u8>> {
    // Grow the viewport to the whole page, then measure again: a page can lay out a little
    // differently at its full height.
    let mut height = 0.0;
    for _ in 0..3 {
        let (_, h) = content_size(cdp)?;
        if (h - height).abs() < 0.5 {
            break;
        }
        height = h;
        if height * scale > MAX_PNG_HEIGHT {
            bail!(
                "the page is {height:.0} px tall, and at --scale {scale} the picture would be taller than {MAX_PNG_HEIGHT:.0} px; lower --scale or use -f pdf --paper poster"
            );
        }
        viewport(cdp, width, height.ceil() as u32, scale)?;
    }
    let clip = json!({"x": 0.0, "y": 0.0, "width": f64::from(width), "height": height.ceil(), "scale": 1.0});
    let shot = json!({"format": "png", "clip": clip, "fromSurface": true});
    bytes(&cdp.call("Page.captureScreenshot", shot)?)
}

pub(super) fn print(cdp: &mut Cdp, stamp: Option<i64>) -> Result<Vec<u8>> {
    let options = json!({
        "displayHeaderFooter": false,
        "printBackground": true,
        "scale": 1.0,
        "preferCSSPageSize": true,
    });
    let mut pdf = bytes(&cdp.call("Page.printToPDF", options)?)?;
    fix_dates(&mut pdf, stamp);
    fix_node_ids(&mut pdf);
    Ok(pdf)
}

/// A tagged PDF names its structure elements after the page's DOM nodes (`/ID
/// (node00000132)`), numbered by a counter of the renderer that does not start at the same
/// place on every run. Each becomes its rank among them (`node00000001` is the lowest), in
/// place: same length, same order (the ID tree stays sorted), the same bytes for the same
/// page.
pub(super) fn fix_node_ids(pdf: &mut [u8]) {
    const KEY: &[u8] = b"(node";
    const DIGITS: usize = 8;
    let at: Vec<usize> = memchr::memmem::find_iter(pdf, KEY)
        .map(|i| i + KEY.len())
        .filter(|&i| {
            pdf.get(i..i + DIGITS)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                && pdf.get(i + DIGITS) == Some(&b')')
        })
        .collect();
    let id = |pdf: &[u8], i: usize| -> u64 {
        pdf[i..i + DIGITS]
            .iter()
            .fold(0, |n, d| n * 10 + u64::from(d - b'0'))
    };
    let mut ids: Vec<u64> = at.iter().map(|&i| id(pdf, i)).collect();
    ids.sort_unstable();
    ids.dedup();
    for i in at {
        let rank = ids.binary_search(&id(pdf, i)).unwrap_or_default() + 1;
        let text = format!("{rank:0DIGITS$}");
        if text.len() == DIGITS {
            pdf[i..i + DIGITS].copy_from_slice(text.as_bytes());
        }
    }
}

/// Chromium stamps a PDF with the time it was made. The same map should give the same
/// bytes, so the stamp becomes `stamp` (`SOURCE_DATE_EPOCH`, the reproducible-builds
/// convention) or else 2000-01-01, written over the old one in place: same length, so the
/// file's cross-reference offsets stay right.
pub(super) fn fix_dates(pdf: &mut [u8], stamp: Option<i64>) {
    let epoch = stamp
        .and_then(|s| jiff::Timestamp::from_second(s).ok())
        .unwrap_or_else(|| jiff::Timestamp::from_second(946_684_800).unwrap_or_default());
    let digits = epoch.strftime("%Y%m%d%H%M%S").to_string();
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        let Some(at) = memchr::memmem::find(pdf, key) else {
            continue;
        };
        let start = at + key.len();
        let Some(len) = pdf[start..].iter().position(|&b| b == b')') else {
            continue;
        };
        // `YYYYMMDDHHmmSS` then `Z` or `+HH'mm'`.
        let stamp = match len {
            15 => format!("{digits}Z"),
            21 => format!("{digits}+00'00'"),
            _ => continue,
        };
        if stamp.len() == len {
            pdf[start..start + len].copy_from_slice(stamp.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_replaced_in_place_and_odd_ones_left_alone() {
        let mut pdf =
            b"<</CreationDate (D:20261203103853+00'00')\n/ModDate (D:20261203103853Z)/Title (x)>>"
                .to_vec();
        let len = pdf.len();
        fix_dates(&mut pdf, None);
        assert_eq!(pdf.len(), len);
        let text = String::from_utf8(pdf).unwrap();
        assert_eq!(
            text,
            "<</CreationDate (D:20000101000000+00'00')\n/ModDate (D:20000101000000Z)/Title (x)>>"
        );
        // A stamp of another shape is not touched.
        let mut odd = b"/CreationDate (D:2026)".to_vec();
        fix_dates(&mut odd, None);
        assert_eq!(odd, b"/CreationDate (D:2026)");
    }

    #[test]
    fn node_ids_become_their_ranks_in_place() {
        let run = |ids: [u32; 3]| {
            let mut pdf = format!(
                "/ID (node{:08})>> /K 1 /ID (node{:08}) (node{:08}) (node1) (node0000000x) (node{:08})",
                ids[0], ids[1], ids[2], ids[0]
            )
            .into_bytes();
            let len = pdf.len();
            fix_node_ids(&mut pdf);
            assert_eq!(pdf.len(), len);
            String::from_utf8(pdf).unwrap()
        };
        let want = "/ID (node00000001)>> /K 1 /ID (node00000003) (node00000002) (node1) (node0000000x) (node00000001)";
        // Two runs whose counter started at different places give the same bytes.
        assert_eq!(run([132, 840, 133]), want);
        assert_eq!(run([133, 841, 134]), want);
    }
}
