//! What core weighs in a Wasm build (see `scripts/core-size.sh`). With the `core` feature, one
//! export reaches every part the widget uses (validation, identity, regions without kecamatan,
//! attachments, metadata stripping, messages), so none of it is optimised away. Without it,
//! the same export does only the surrounding work: an allocator, the input split into lines.
//! The difference of the two modules is what core adds.

/// # Safety
/// `ptr` and `len` describe a readable buffer.
#[no_mangle]
pub unsafe extern "C" fn probe(ptr: *const u8, len: usize) -> usize {
    // SAFETY: the caller passes a valid buffer (a size probe: never called at all).
    let input = unsafe { std::slice::from_raw_parts(ptr, len) };
    let text = String::from_utf8_lossy(input).into_owned();
    let fields: Vec<&str> = text.split('\n').collect();
    with_core(input, &fields)
}

#[cfg(not(feature = "core"))]
fn with_core(_input: &[u8], fields: &[&str]) -> usize {
    fields.iter().map(|f| f.len()).sum()
}

#[cfg(feature = "core")]
fn with_core(input: &[u8], f: &[&str]) -> usize {
    use lapor_core::attachment::{check_attachments, AttachmentInfo};
    use lapor_core::messages::{field_error_message, Lang};
    use lapor_core::{region, strip, validate_submission, Config, Context, Date, Report, Reporter};

    let get = |i: usize| f.get(i).copied().unwrap_or("").to_owned();
    let report = Report {
        classification: get(0),
        title: get(1),
        content: get(2),
        incident_date: Some(get(3)),
        location_code: get(4),
        reporter: Reporter {
            name: get(5),
            nik: Some(get(6)),
            phone: get(7),
            email: Some(get(8)),
        },
        ..Report::default()
    };
    let config = Config::default();
    let today = Date::new(2026, 11, 28).unwrap_or(Date::from_days_since_epoch(0));
    let lang = if get(9) == "en" { Lang::En } else { Lang::Id };
    let checked = validate_submission(
        &report,
        &[],
        &Context {
            config: &config,
            today,
        },
    );
    let mut total = checked.warnings.len()
        + checked
            .errors
            .iter()
            .map(|e| field_error_message(e, lang, &config).len())
            .sum::<usize>();
    let files = [AttachmentInfo {
        name: f.get(10).copied().unwrap_or(""),
        size: input.len() as u64,
        head: input,
    }];
    total += check_attachments(&files, &config.attachments).len();
    total += strip::strip_metadata(input).map(|v| v.len()).unwrap_or(0);
    total += region::provinces()
        .iter()
        .map(|p| region::regencies_of(p.code).len())
        .sum::<usize>();
    total
}
