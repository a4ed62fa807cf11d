//! What is done to the tab: the page served from memory and nothing else fetched, the
//! viewport and media set, sizes measured, the screenshot or PDF taken, the PDF's dates fixed.

use anyhow::{Result, bail};
use headless_chrome::Tab;
use headless_chrome::browser::tab::RequestPausedDecision;
use headless_chrome::protocol::cdp::{Emulation, Fetch, Network, Page};
use headless_chrome::types::PrintToPdfOptions;

use super::{MAX_PNG_HEIGHT, PAGE_CSP, PAGE_URL};

/// Every request of the tab is paused and answered here: the page's own address with the
/// page and its policy, anything else (a style sheet, an image, a frame, a file, the network)
/// with a failure.
pub(super) fn serve_only_the_page(
    tab: &Tab,
    page: std::sync::Arc<std::sync::Mutex<String>>,
) -> Result<()> {
    use base64::Engine as _;
    tab.enable_request_interception(std::sync::Arc::new(
        move |_transport, _session, event: Fetch::events::RequestPausedEvent| {
            let p = event.params;
            if p.request.url == PAGE_URL && p.resource_Type == Network::ResourceType::Document {
                let html = page.lock().map(|h| h.clone()).unwrap_or_default();
                let header = |name: &str, value: &str| Fetch::HeaderEntry {
                    name: name.to_owned(),
                    value: value.to_owned(),
                };
                return RequestPausedDecision::Fulfill(Fetch::FulfillRequest {
                    request_id: p.request_id,
                    response_code: 200,
                    response_headers: Some(vec![
                        header("Content-Type", "text/html; charset=utf-8"),
                        header("Content-Security-Policy", PAGE_CSP),
                        header("Cache-Control", "no-store"),
                    ]),
                    binary_response_headers: None,
                    body: Some(base64::engine::general_purpose::STANDARD.encode(html)),
                    response_phrase: None,
                });
            }
            RequestPausedDecision::Fail(Fetch::FailRequest {
                request_id: p.request_id,
                error_reason: Network::ErrorReason::BlockedByClient,
            })
        },
    ))?;
    tab.enable_fetch(
        Some(&[Fetch::RequestPattern {
            url_pattern: Some("*".to_owned()),
            resource_Type: None,
            request_stage: Some(Fetch::RequestStage::Request),
        }]),
        None,
    )?;
    Ok(())
}

pub(super) fn viewport(tab: &Tab, width: u32, height: u32, scale: f64) -> Result<()> {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: scale,
        mobile: false,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })?;
    Ok(())
}

pub(super) fn media(tab: &Tab, media: &str) -> Result<()> {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some(media.to_owned()),
        features: None,
    })?;
    Ok(())
}

/// A number the page works out (DevTools evaluation is not bound by the page's CSP).
pub(super) fn number(tab: &Tab, expression: &str) -> Result<f64> {
    let value = tab.evaluate(expression, false)?.value;
    Ok(value.and_then(|v| v.as_f64()).unwrap_or(0.0))
}

/// The laid-out size of the whole page, in CSS pixels.
pub(super) fn content_size(tab: &Tab) -> Result<(f64, f64)> {
    let m = tab.call_method(Page::GetLayoutMetrics(None))?;
    Ok((m.css_content_size.width, m.css_content_size.height))
}

pub(super) fn screenshot(tab: &Tab, width: u32, scale: f64) -> Result<Vec<u8>> {
    // Grow the viewport to the whole page, then measure again: a page can lay out a little
    // differently at its full height.
    let mut height = 0.0;
    for _ in 0..3 {
        let (_, h) = content_size(tab)?;
        if (h - height).abs() < 0.5 {
            break;
        }
        height = h;
        if height * scale > MAX_PNG_HEIGHT {
            bail!(
                "the page is {height:.0} px tall, and at --scale {scale} the picture would be taller than {MAX_PNG_HEIGHT:.0} px; lower --scale or use -f pdf --paper poster"
            );
        }
        viewport(tab, width, height.ceil() as u32, scale)?;
    }
    let clip = Page::Viewport {
        x: 0.0,
        y: 0.0,
        width: f64::from(width),
        height: height.ceil(),
        scale: 1.0,
    };
    tab.capture_screenshot(
        Page::CaptureScreenshotFormatOption::Png,
        None,
        Some(clip),
        true,
    )
}

pub(super) fn print(tab: &Tab, stamp: Option<i64>) -> Result<Vec<u8>> {
    let mut pdf = tab.print_to_pdf(Some(PrintToPdfOptions {
        display_header_footer: Some(false),
        print_background: Some(true),
        scale: Some(1.0),
        prefer_css_page_size: Some(true),
        ..PrintToPdfOptions::default()
    }))?;
    fix_dates(&mut pdf, stamp);
    Ok(pdf)
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
}
