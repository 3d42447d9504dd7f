//! Decoders for MWS responses. MWS has no event-type tags to dispatch on, so nothing decodes as
//! unknown; the checks beyond the types are MWS's date format and the list's own counts.

use super::{DecodeError, DecodeErrorKind, DecodeSource, Input};
use crate::model::mws::{MwsErrorBody, MwsEvent, MwsEventList};
// The poller checks dates too, in the browser as well, so the check lives with the client.
pub use crate::mws_client::is_mws_date;

/// Decodes one event (the body of `GET /rest/events/<id>`).
pub fn decode_mws_event(text: &str) -> Result<MwsEvent, DecodeError> {
    let input = Input::new(DecodeSource::Mws, text);
    let event: MwsEvent = input.parse()?;
    check_event(&input, &event, "")?;
    Ok(event)
}

/// Decodes a page of events (the body of `GET /rest/events`). The counts are checked before the
/// events, each event's shape before its date: the order the generated validators follow.
pub fn decode_mws_event_list(text: &str) -> Result<MwsEventList, DecodeError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Page<'a> {
        total_count: u64,
        result_count: u64,
        #[serde(borrow)]
        results: Vec<&'a serde_json::value::RawValue>,
    }
    let input = Input::new(DecodeSource::Mws, text);
    let page: Page = input.parse()?;
    if page.result_count != page.results.len() as u64 {
        return Err(input.error(
            DecodeErrorKind::Spec,
            "resultCount",
            format!(
                "resultCount is {} but results holds {}",
                page.result_count,
                page.results.len()
            ),
        ));
    }
    if page.result_count > page.total_count {
        return Err(input.error(
            DecodeErrorKind::Spec,
            "totalCount",
            format!(
                "totalCount {} is below resultCount {}",
                page.total_count, page.result_count
            ),
        ));
    }
    let mut results = Vec::with_capacity(page.results.len());
    for (i, raw) in page.results.into_iter().enumerate() {
        let path = format!("results[{i}]");
        let event: MwsEvent = input.parse_part(raw, &path)?;
        check_event(&input, &event, &path)?;
        results.push(event);
    }
    Ok(MwsEventList {
        total_count: page.total_count,
        result_count: page.result_count,
        results,
    })
}

/// Decodes an error body `{"messages": […]}`.
pub fn decode_mws_error(text: &str) -> Result<MwsErrorBody, DecodeError> {
    Input::new(DecodeSource::Mws, text).parse()
}

fn check_event(input: &Input<'_>, event: &MwsEvent, path: &str) -> Result<(), DecodeError> {
    if !is_mws_date(&event.event_date) {
        let at = if path.is_empty() {
            "eventDate".to_owned()
        } else {
            format!("{path}.eventDate")
        };
        return Err(input.error(
            DecodeErrorKind::Spec,
            &at,
            format!(
                "eventDate {:?} is not in MWS's form yyyy-MM-dd HH:mm:ss UTC",
                event.event_date
            ),
        ));
    }
    Ok(())
}
