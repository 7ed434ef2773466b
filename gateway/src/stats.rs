//! The participation page: `GET /stats` (JSON) and `GET /stats/` (HTML, Indonesian first, English
//! with `?lang=en`), per site and month of receipt: reports by classification, the share LAPOR!
//! holds, and the median time from receipt to LAPOR!'s first status. For a Pemda's
//! communications office to see whether the widget on its pages brings reports.
//!
//! It reveals nothing of any report: only counts per site, month (no finer time) and
//! classification, every count under [`MIN_COUNT`] published as `"< 5"`, and a share or a median
//! only over at least [`MIN_COUNT`] reports. The counts are read from the store in one grouped
//! query at most every [`CACHE_FOR`]; site names come from the registry in force.
//!
//! The page is plain HTML with inline SVG charts drawn here, one stylesheet (`/stats/stats.css`)
//! and no script; its `Content-Security-Policy` allows nothing else.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::api::{blocking, ApiError, Shared};
use crate::store::Tally;

/// Counts under this are published as `"< 5"`; a share or a median needs this many reports.
pub const MIN_COUNT: u64 = 5;
/// The store is asked again at most this often.
pub const CACHE_FOR: Duration = Duration::from_secs(60);
/// Months shown on the page per site (the JSON has every month).
const PAGE_MONTHS: usize = 12;
/// The classifications, in the form's order.
const KINDS: [&str; 3] = ["pengaduan", "aspirasi", "permintaan_informasi"];

/// A count as published: exact from [`MIN_COUNT`] on, the string `"< 5"` below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Exact(u64),
    Few,
}

impl Count {
    pub fn of(n: u64) -> Count {
        if n >= MIN_COUNT {
            Count::Exact(n)
        } else {
            Count::Few
        }
    }
}

impl Serialize for Count {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Count::Exact(n) => s.serialize_u64(*n),
            Count::Few => s.serialize_str("< 5"),
        }
    }
}

/// The `/stats` document.
#[derive(Debug, Serialize)]
pub struct Stats {
    /// Counts under this are `"< 5"`.
    pub min_count: u64,
    /// Months are those of receipt, in this time zone.
    pub time_zone: &'static str,
    pub sites: Vec<SiteStats>,
}

/// One site's figures, newest month first.
#[derive(Debug, Serialize)]
pub struct SiteStats {
    /// `null`: reports filed without a registered site's `Origin`.
    pub id: Option<String>,
    /// The Pemda's name in the registry in force (`null` for a site no longer registered).
    pub name: Option<String>,
    pub region_code: Option<String>,
    /// The current month and the eleven before it, together.
    pub last_12_months: PeriodStats,
    /// Every month with reports, newest first.
    pub months: Vec<MonthStats>,
}

/// A span of months, together.
#[derive(Debug, Serialize)]
pub struct PeriodStats {
    /// `YYYY-MM`, the first month of the span.
    pub from: String,
    /// `YYYY-MM`, the last.
    pub to: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// One site's month.
#[derive(Debug, Serialize)]
pub struct MonthStats {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// The figures of a site's month or span, as published.
#[derive(Debug, Serialize)]
pub struct Figures {
    pub reports: Count,
    pub by_classification: ByKind,
    /// Reports LAPOR! holds (a complaint id was given).
    pub delivered: Count,
    /// `delivered / reports`, 0..1 with two decimals; `null` when fewer than 5 were delivered.
    pub delivered_share: Option<f64>,
    /// Median minutes from receipt to LAPOR!'s first status, over the reports that have one;
    /// `null` when fewer than 5 have one.
    pub median_minutes_to_first_status: Option<u64>,
}

/// Counts by classification.
#[derive(Debug, Serialize)]
pub struct ByKind {
    pub pengaduan: Count,
    pub aspirasi: Count,
    pub permintaan_informasi: Count,
}

/// The exact sums of one site-month (or a site's whole period), before publishing.
#[derive(Debug, Clone, Default)]
struct Sums {
    reports: u64,
    kinds: [u64; 3],
    delivered: u64,
    delays: Vec<u64>,
}

impl Sums {
    fn add(&mut self, t: &Tally) {
        self.reports += t.reports;
        if let Some(i) = KINDS.iter().position(|k| *k == t.classification) {
            self.kinds[i] += t.reports;
        }
        self.delivered += t.delivered;
        self.delays.extend_from_slice(&t.first_status_secs);
    }

    fn merge(&mut self, other: &Sums) {
        self.reports += other.reports;
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            *a += b;
        }
        self.delivered += other.delivered;
        self.delays.extend_from_slice(&other.delays);
    }

    fn share(&self) -> Option<f64> {
        (self.delivered >= MIN_COUNT && self.reports > 0)
            .then(|| (self.delivered as f64 / self.reports as f64 * 100.0).round() / 100.0)
    }

    fn median_minutes(&self) -> Option<u64> {
        if (self.delays.len() as u64) < MIN_COUNT {
            return None;
        }
        let mut d = self.delays.clone();
        d.sort_unstable();
        let n = d.len();
        let median = if n % 2 == 1 {
            d[n / 2]
        } else {
            (d[n / 2 - 1] + d[n / 2]) / 2
        };
        Some((median + 30) / 60)
    }

    fn publish(&self) -> Figures {
        Figures {
            reports: Count::of(self.reports),
            by_classification: ByKind {
                pengaduan: Count::of(self.kinds[0]),
                aspirasi: Count::of(self.kinds[1]),
                permintaan_informasi: Count::of(self.kinds[2]),
            },
            delivered: Count::of(self.delivered),
            delivered_share: self.share(),
            median_minutes_to_first_status: self.median_minutes(),
        }
    }
}

/// The published figures of these tallies: every site with reports (or only `only`, which may
/// have none), registered sites by name, then sites no longer registered, then reports without
/// a site.
///
/// `now_month`: the current month (`YYYY-MM`, Asia/Jakarta), the end of `last_12_months`.
pub fn compute(
    tallies: &[Tally],
    sites: &crate::sites::Sites,
    only: Option<&str>,
    now_month: &str,
) -> Stats {
    let from = months_before(now_month, 11);
    let mut by_site: BTreeMap<Option<String>, BTreeMap<String, Sums>> = BTreeMap::new();
    for t in tallies {
        if only.is_some_and(|id| t.site_id.as_deref() != Some(id)) {
            continue;
        }
        by_site
            .entry(t.site_id.clone())
            .or_default()
            .entry(t.month.clone())
            .or_default()
            .add(t);
    }
    if let Some(id) = only {
        by_site.entry(Some(id.to_owned())).or_default();
    }
    let registered = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| sites.all().iter().find(|s| s.id == id).cloned())
    };
    let mut out: Vec<(u8, String, SiteStats)> = by_site
        .into_iter()
        .map(|(id, months)| {
            let site = registered(&id);
            let rank = match (&site, &id) {
                (Some(_), _) => 0,
                (None, Some(_)) => 1,
                (None, None) => 2,
            };
            let key = site
                .as_ref()
                .map(|s| s.name.to_lowercase())
                .or_else(|| id.clone())
                .unwrap_or_default();
            let mut recent = Sums::default();
            for (month, sums) in &months {
                if month.as_str() >= from.as_str() && month.as_str() <= now_month {
                    recent.merge(sums);
                }
            }
            let months = months
                .into_iter()
                .rev()
                .map(|(month, sums)| MonthStats {
                    month,
                    figures: sums.publish(),
                })
                .collect();
            let stats = SiteStats {
                name: site.as_ref().map(|s| s.name.clone()),
                region_code: site.as_ref().and_then(|s| s.region_code.clone()),
                id,
                last_12_months: PeriodStats {
                    from: from.clone(),
                    to: now_month.to_owned(),
                    figures: recent.publish(),
                },
                months,
            };
            (rank, key, stats)
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Stats {
        min_count: MIN_COUNT,
        time_zone: "Asia/Jakarta",
        sites: out.into_iter().map(|(_, _, s)| s).collect(),
    }
}

/// `YYYY-MM` minus `n` months.
fn months_before(month: &str, n: u32) -> String {
    let (y, m) = month.split_once('-').unwrap_or(("1970", "01"));
    let index =
        y.parse::<i64>().unwrap_or(1970) * 12 + m.parse::<i64>().unwrap_or(1) - 1 - i64::from(n);
    format!(
        "{:04}-{:02}",
        index.div_euclid(12),
        index.rem_euclid(12) + 1
    )
}

/// The current month in Asia/Jakarta, `YYYY-MM`.
fn jakarta_month() -> String {
    let date =
        lapor_core::Date::from_days_since_epoch((crate::unix_now() + 7 * 3600).div_euclid(86_400));
    format!("{:04}-{:02}", date.year(), date.month())
}

/// The store's tallies last asked for, and when.
pub type Cache = tokio::sync::Mutex<Option<(Instant, Arc<Vec<Tally>>)>>;

/// The store's tallies, asked for again only once [`CACHE_FOR`] has passed. One request at a
/// time asks; the others wait for its answer instead of asking too.
async fn tallies(state: &Shared) -> Result<Arc<Vec<Tally>>, ApiError> {
    let mut cache = state.stats.lock().await;
    if let Some((at, tallies)) = cache.as_ref() {
        if at.elapsed() < CACHE_FOR {
            return Ok(tallies.clone());
        }
    }
    let store = state.store.clone();
    let fresh = Arc::new(blocking(move || store.participation()).await?);
    *cache = Some((Instant::now(), fresh.clone()));
    Ok(fresh)
}

/// Page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Id,
    En,
}

/// The query of `/stats` and `/stats/`: `site` (a site id) and, for the page, `lang`
/// (`id`, `en`). Anything else, or a malformed value, is a `400` with a JSON body.
struct Query {
    site: Option<String>,
    lang: Lang,
}

fn parse_query(raw: Option<&str>) -> Result<Query, ApiError> {
    let mut q = Query {
        site: None,
        lang: Lang::Id,
    };
    let bad = |what: &str| ApiError::BadRequest(format!("query: {what}"));
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "site" if value.is_empty() => {}
            "site" => {
                let ok = value.len() <= 64
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !ok {
                    return Err(bad("site is a site id ([a-z0-9-], at most 64)"));
                }
                q.site = Some(value.to_owned());
            }
            "lang" => {
                q.lang = match value {
                    "id" | "" => Lang::Id,
                    "en" => Lang::En,
                    _ => return Err(bad("lang is id or en")),
                }
            }
            _ => return Err(bad("only site and lang are known")),
        }
    }
    Ok(q)
}

/// Figures for the query: a site that is neither registered nor has reports is `404`.
async fn figures(state: &Shared, raw: Option<&str>) -> Result<(Query, Stats), ApiError> {
    let query = parse_query(raw)?;
    let tallies = tallies(state).await?;
    let sites = state.sites.get();
    if let Some(id) = &query.site {
        let known = sites.all().iter().any(|s| &s.id == id)
            || tallies.iter().any(|t| t.site_id.as_deref() == Some(id));
        if !known {
            return Err(ApiError::NotFound);
        }
    }
    let stats = compute(&tallies, &sites, query.site.as_deref(), &jakarta_month());
    Ok((query, stats))
}

/// Browsers and proxies may keep an answer as long as the figures stay the same.
const CACHE_CONTROL: &str = "public, max-age=60";

/// `GET /stats`.
pub async fn json(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match figures(&state, raw.as_deref()).await {
        Ok((_, stats)) => ([(header::CACHE_CONTROL, CACHE_CONTROL)], Json(stats)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// What the page allows itself: its own stylesheet and its own form, nothing else.
const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

fn page_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
}

/// `GET /stats/`.
pub async fn page(State(state): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match figures(&state, raw.as_deref()).await {
        Ok((query, stats)) => {
            let sites = state.sites.get();
            let mut response = (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                render(&stats, &sites, &query),
            )
                .into_response();
            page_headers(&mut response);
            response
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /stats/stats.css`.
pub async fn stylesheet() -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response();
    page_headers(&mut response);
    response
}

const STYLESHEET: &str = include_str!("stats.css");

/// The page's words.
struct Words {
    lang: &'static str,
    title: &'static str,
    intro: &'static str,
    privacy: &'static str,
    other_lang_label: &'static str,
    other_lang: &'static str,
    other_code: &'static str,
    site_label: &'static str,
    all_sites: &'static str,
    show: &'static str,
    nothing: &'static str,
    no_site: &'static str,
    unregistered: &'static str,
    period: &'static str,
    reports: &'static str,
    delivered: &'static str,
    median: &'static str,
    /// The table's shorter column heading of the median.
    median_short: &'static str,
    per_month: &'static str,
    per_month_desc: &'static str,
    by_kind: &'static str,
    by_kind_desc: &'static str,
    share_title: &'static str,
    share_desc: &'static str,
    median_title: &'static str,
    median_desc: &'static str,
    table_caption: &'static str,
    month: &'static str,
    kinds: [&'static str; 3],
    not_shown: &'static str,
    months: [&'static str; 12],
    months_short: [&'static str; 12],
    minute: &'static str,
    hour: &'static str,
    day: &'static str,
    under_a_minute: &'static str,
    few_note: &'static str,
    json: &'static str,
}

const ID: Words = Words {
    lang: "id",
    title: "Partisipasi LAPOR! per situs",
    intro: "Berapa laporan yang masuk melalui formulir LAPOR! di situs setiap Pemda, per bulan: \
        menurut klasifikasi, berapa bagian yang sudah sampai di LAPOR!, dan berapa lama sampai \
        LAPOR! memberi status pertama.",
    privacy: "Halaman ini hanya berisi jumlah per situs dan per bulan. Jumlah di bawah 5 \
        ditampilkan sebagai \u{201c}<\u{a0}5\u{201d}, dan persentase atau median hanya dihitung dari \
        sedikitnya 5 laporan, sehingga tidak ada laporan yang dapat dikenali. Angka diperbarui \
        paling lama setiap menit.",
    other_lang_label: "Bahasa",
    other_lang: "English",
    other_code: "en",
    site_label: "Situs",
    all_sites: "Semua situs",
    show: "Tampilkan",
    nothing: "Belum ada laporan.",
    no_site: "Tanpa situs terdaftar",
    unregistered: "Situs tidak lagi terdaftar",
    period: "12 bulan terakhir",
    reports: "Laporan",
    delivered: "Sampai di LAPOR!",
    median: "Median waktu sampai status pertama",
    median_short: "Median ke status pertama",
    per_month: "Laporan per bulan",
    per_month_desc: "Jumlah laporan yang masuk setiap bulan.",
    by_kind: "Laporan menurut klasifikasi",
    by_kind_desc: "Jumlah laporan 12 bulan terakhir menurut klasifikasi.",
    share_title: "Bagian yang sampai di LAPOR!",
    share_desc: "Persentase laporan setiap bulan yang sudah diterima LAPOR!.",
    median_title: "Median waktu sampai status pertama LAPOR!",
    median_desc: "Waktu tengah dari laporan diterima sampai LAPOR! memberi status pertama, \
        per bulan.",
    table_caption: "Angka per bulan",
    month: "Bulan",
    kinds: ["Pengaduan", "Aspirasi", "Permintaan Informasi"],
    not_shown: "tidak ditampilkan (kurang dari 5 laporan)",
    months: [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
    ],
    minute: "menit",
    hour: "jam",
    day: "hari",
    under_a_minute: "< 1 menit",
    few_note: "\u{201c}< 5\u{201d}: kurang dari 5 laporan. \u{201c}\u{2013}\u{201d}: tidak \
        ditampilkan, kurang dari 5 laporan.",
    json: "Data yang sama dalam JSON",
};

const EN: Words = Words {
    lang: "en",
    title: "LAPOR! participation by site",
    intro: "How many reports came in through the LAPOR! form on each Pemda's site, per month: \
        by classification, the share that has reached LAPOR!, and how long until LAPOR! gave \
        its first status.",
    privacy: "This page holds only counts per site and month. Counts under 5 are shown as \
        \u{201c}<\u{a0}5\u{201d}, and a share or a median is computed over at least 5 reports only, \
        so no report can be recognised. Figures are at most a minute old.",
    other_lang_label: "Language",
    other_lang: "Bahasa Indonesia",
    other_code: "id",
    site_label: "Site",
    all_sites: "All sites",
    show: "Show",
    nothing: "No reports yet.",
    no_site: "No registered site",
    unregistered: "Site no longer registered",
    period: "last 12 months",
    reports: "Reports",
    delivered: "Reached LAPOR!",
    median: "Median time to first status",
    median_short: "Median to first status",
    per_month: "Reports per month",
    per_month_desc: "Reports received each month.",
    by_kind: "Reports by classification",
    by_kind_desc: "Reports of the last 12 months by classification.",
    share_title: "Share that reached LAPOR!",
    share_desc: "Percentage of each month's reports that LAPOR! has received.",
    median_title: "Median time to LAPOR!'s first status",
    median_desc: "Median time from a report's receipt to LAPOR!'s first status, per month.",
    table_caption: "Figures per month",
    month: "Month",
    kinds: ["Complaint", "Aspiration", "Information request"],
    not_shown: "not shown (fewer than 5 reports)",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    months_short: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    minute: "min",
    hour: "h",
    day: "d",
    under_a_minute: "< 1 min",
    few_note: "\u{201c}< 5\u{201d}: fewer than 5 reports. \u{201c}\u{2013}\u{201d}: not shown, \
        fewer than 5 reports.",
    json: "The same data as JSON",
};

/// Text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn number(n: u64, w: &Words) -> String {
    let digits = n.to_string();
    let sep = if w.lang == "id" { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn count_text(c: Count, w: &Words) -> String {
    match c {
        Count::Exact(n) => number(n, w),
        Count::Few => "< 5".to_owned(),
    }
}

fn percent(share: f64) -> String {
    format!("{}%", (share * 100.0).round() as u64)
}

fn duration_text(minutes: u64, w: &Words) -> String {
    match minutes {
        0 => w.under_a_minute.to_owned(),
        m if m < 60 => format!("{m} {}", w.minute),
        m if m < 48 * 60 => match m % 60 {
            0 => format!("{} {}", m / 60, w.hour),
            r => format!("{} {} {r} {}", m / 60, w.hour, w.minute),
        },
        m => match m / 60 % 24 {
            0 => format!("{} {}", m / 1440, w.day),
            h => format!("{} {} {h} {}", m / 1440, w.day, w.hour),
        },
    }
}

/// `2026-12` as "Desember 2026" (`short`: "Des 2026").
fn month_text(month: &str, w: &Words, short: bool) -> String {
    let (year, m) = month.split_once('-').unwrap_or((month, ""));
    let names = if short { &w.months_short } else { &w.months };
    match m
        .parse::<usize>()
        .ok()
        .and_then(|m| names.get(m.wrapping_sub(1)))
    {
        Some(name) => format!("{name} {year}"),
        None => month.to_owned(),
    }
}

/// One bar of a chart: its label, its length (0..1; `None`: a small count, drawn as a stub),
/// the value written beside it.
struct Bar {
    label: String,
    length: Option<f64>,
    value: String,
}

/// A horizontal bar chart as inline SVG: one row per bar, readable from 320 px wide up. Named
/// by its title and described by `desc`; the same figures are in the table below it.
fn bar_chart(out: &mut String, id: &str, title: &str, desc: &str, series: &str, bars: &[Bar]) {
    const ROW: f64 = 26.0;
    const WIDTH: f64 = 320.0;
    // The label column fits the longest label, and the room after the bars the longest value
    // (12 px text, about 6.6 px a character); the bars get the rest.
    let chars = |text: &str| text.chars().count() as f64 * 6.6;
    let longest = |of: &dyn Fn(&Bar) -> f64| bars.iter().map(of).fold(0.0, f64::max);
    let label_width = (longest(&|b| chars(&b.label)) * 1.06 + 12.0).clamp(60.0, 156.0);
    // Digits and "%" run wider than the average letter.
    let value_width = (longest(&|b| chars(&b.value)) * 1.15 + 10.0).clamp(34.0, 130.0);
    let bar_room = WIDTH - label_width - value_width;
    let height = ROW * bars.len().max(1) as f64 + 4.0;
    let _ = write!(
        out,
        "<figure class=\"chart\"><figcaption id=\"{id}-t\">{}</figcaption>\
         <svg viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" \
         class=\"series-{series}\"><desc id=\"{id}-d\">{}</desc>",
        esc(title),
        esc(desc)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let text_y = y + ROW / 2.0 + 1.0;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{text_y}\" class=\"label\" text-anchor=\"end\" \
             dominant-baseline=\"middle\">{}</text>",
            label_width - 6.0,
            esc(&bar.label)
        );
        let (width, class) = match bar.length {
            Some(l) => ((l.clamp(0.0, 1.0) * bar_room).max(2.0), "bar"),
            None => (10.0, "bar few"),
        };
        let _ = write!(
            out,
            "<rect x=\"{label_width:.1}\" y=\"{}\" width=\"{width:.1}\" height=\"{}\" class=\"{class}\"/>\
             <text x=\"{:.1}\" y=\"{text_y}\" class=\"value\" dominant-baseline=\"middle\">{}</text>",
            y + 4.0,
            ROW - 8.0,
            label_width + width + 5.0,
            esc(&bar.value)
        );
    }
    out.push_str("</svg></figure>");
}

/// The page.
fn render(stats: &Stats, sites: &crate::sites::Sites, query: &Query) -> String {
    let w = if query.lang == Lang::En { &EN } else { &ID };
    let mut out = String::with_capacity(16 * 1024);
    let site_param = query
        .site
        .as_deref()
        .map(|s| format!("site={s}&amp;"))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/stats/stats.css\"></head>\
         <body><header><p class=\"lang\"><span class=\"sr-only\">{lang_label}: </span>\
         <a href=\"/stats/?{site_param}lang={other_code}\" hreflang=\"{other_code}\" \
         lang=\"{other_code}\">{other}</a></p><h1>{title}</h1><p>{intro}</p>\
         <p class=\"privacy\">{privacy}</p></header><main>",
        lang = w.lang,
        title = esc(w.title),
        lang_label = esc(w.other_lang_label),
        other_code = w.other_code,
        other = esc(w.other_lang),
        intro = esc(w.intro),
        privacy = esc(w.privacy),
    );
    // The site picker: a plain GET form, no script.
    let _ = write!(
        out,
        "<form class=\"pick\" method=\"get\" action=\"/stats/\"><label for=\"site\">{}</label> \
         <select id=\"site\" name=\"site\"><option value=\"\">{}</option>",
        esc(w.site_label),
        esc(w.all_sites)
    );
    let mut names: Vec<(&str, &str)> = sites
        .all()
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    names.sort_by_key(|(_, name)| name.to_lowercase());
    for (id, name) in names {
        let selected = if query.site.as_deref() == Some(id) {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            out,
            "<option value=\"{}\"{selected}>{}</option>",
            esc(id),
            esc(name)
        );
    }
    let _ = write!(
        out,
        "</select> <input type=\"hidden\" name=\"lang\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        w.lang,
        esc(w.show)
    );
    if stats.sites.iter().all(|s| s.months.is_empty()) && query.site.is_none() {
        let _ = write!(out, "<p>{}</p>", esc(w.nothing));
    }
    for (n, site) in stats.sites.iter().enumerate() {
        site_section(&mut out, n, site, w);
    }
    let _ = writeln!(
        out,
        "</main><footer><p>{}</p><p><a href=\"/stats?{}\">{}</a></p></footer></body></html>",
        esc(w.few_note),
        query
            .site
            .as_deref()
            .map(|s| format!("site={s}"))
            .unwrap_or_default(),
        esc(w.json)
    );
    out
}

fn site_section(out: &mut String, n: usize, site: &SiteStats, w: &Words) {
    let name = match (&site.name, &site.id) {
        (Some(name), _) => esc(name),
        (None, Some(id)) => format!("{} ({})", esc(w.unregistered), esc(id)),
        (None, None) => esc(w.no_site),
    };
    let _ = write!(
        out,
        "<section class=\"site\" aria-labelledby=\"s{n}\"><h2 id=\"s{n}\">{name}</h2>"
    );
    let period = &site.last_12_months;
    // The months of the last twelve that have reports; oldest first in the charts.
    let recent: Vec<&MonthStats> = site
        .months
        .iter()
        .filter(|m| m.month >= period.from && m.month <= period.to)
        .take(PAGE_MONTHS)
        .collect();
    if recent.is_empty() {
        let _ = write!(out, "<p>{}</p></section>", esc(w.nothing));
        return;
    }
    let chronological: Vec<&MonthStats> = recent.iter().rev().copied().collect();
    let f = &period.figures;

    // At a glance: the twelve months' totals.
    let _ =
        write!(
        out,
        "<dl class=\"glance\"><div><dt>{reports} <span>({span})</span></dt><dd>{total}</dd></div>\
         <div><dt>{delivered}</dt><dd>{share}</dd></div>\
         <div><dt>{median}</dt><dd>{med}</dd></div></dl>",
        reports = esc(w.reports),
        span = esc(w.period),
        total = esc(&count_text(f.reports, w)),
        delivered = esc(w.delivered),
        share = esc(&f.delivered_share.map(percent).unwrap_or_else(|| DASH.into())),
        median = esc(w.median),
        med = esc(&f
            .median_minutes_to_first_status
            .map(|x| duration_text(x, w))
            .unwrap_or_else(|| DASH.into())),
    );

    let exact = |c: Count| match c {
        Count::Exact(n) => Some(n),
        Count::Few => None,
    };
    let scale = |counts: &mut dyn Iterator<Item = Count>| {
        counts
            .filter_map(exact)
            .max()
            .unwrap_or(MIN_COUNT)
            .max(MIN_COUNT) as f64
    };
    let count_bar = |label: String, c: Count, max: f64| Bar {
        label,
        length: exact(c).map(|n| n as f64 / max),
        value: count_text(c, w),
    };
    out.push_str("<div class=\"charts\">");
    let max = scale(&mut chronological.iter().map(|m| m.figures.reports));
    let bars: Vec<Bar> = chronological
        .iter()
        .map(|m| count_bar(month_text(&m.month, w, true), m.figures.reports, max))
        .collect();
    bar_chart(
        out,
        &format!("s{n}-m"),
        w.per_month,
        w.per_month_desc,
        "a",
        &bars,
    );

    let k = &f.by_classification;
    let kinds = [k.pengaduan, k.aspirasi, k.permintaan_informasi];
    let max = scale(&mut kinds.iter().copied());
    let bars: Vec<Bar> = kinds
        .iter()
        .zip(w.kinds)
        .map(|(c, label)| count_bar(label.to_owned(), *c, max))
        .collect();
    bar_chart(
        out,
        &format!("s{n}-k"),
        w.by_kind,
        w.by_kind_desc,
        "b",
        &bars,
    );

    let bars: Vec<Bar> = chronological
        .iter()
        .map(|m| Bar {
            label: month_text(&m.month, w, true),
            length: m.figures.delivered_share,
            value: m
                .figures
                .delivered_share
                .map(percent)
                .unwrap_or_else(|| DASH.into()),
        })
        .collect();
    bar_chart(
        out,
        &format!("s{n}-d"),
        w.share_title,
        w.share_desc,
        "c",
        &bars,
    );

    let max = chronological
        .iter()
        .filter_map(|m| m.figures.median_minutes_to_first_status)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bars: Vec<Bar> = chronological
        .iter()
        .map(|m| {
            let median = m.figures.median_minutes_to_first_status;
            Bar {
                label: month_text(&m.month, w, true),
                length: median.map(|x| x as f64 / max),
                value: median
                    .map(|x| duration_text(x, w))
                    .unwrap_or_else(|| DASH.into()),
            }
        })
        .collect();
    bar_chart(
        out,
        &format!("s{n}-t"),
        w.median_title,
        w.median_desc,
        "d",
        &bars,
    );
    out.push_str("</div>");

    // The table: every figure of the charts, newest month first.
    let _ = write!(
        out,
        "<h3 id=\"s{n}-h\">{caption}</h3>\
         <div class=\"table\" role=\"region\" aria-labelledby=\"s{n}-h\" tabindex=\"0\">\
         <table><caption class=\"sr-only\">{caption}: {name}</caption><thead><tr>\
         <th scope=\"col\">{month}</th><th scope=\"col\">{reports}</th>\
         <th scope=\"col\">{k0}</th><th scope=\"col\">{k1}</th><th scope=\"col\">{k2}</th>\
         <th scope=\"col\">{delivered}</th><th scope=\"col\">{median}</th></tr></thead><tbody>",
        caption = esc(w.table_caption),
        month = esc(w.month),
        reports = esc(w.reports),
        k0 = esc(w.kinds[0]),
        k1 = esc(w.kinds[1]),
        k2 = esc(w.kinds[2]),
        delivered = esc(w.delivered),
        median = esc(w.median_short),
    );
    let not_shown = || format!("<abbr title=\"{}\">{DASH}</abbr>", esc(w.not_shown));
    for m in &recent {
        let f = &m.figures;
        let delivered = match f.delivered_share {
            Some(share) => format!("{} ({})", count_text(f.delivered, w), percent(share)),
            None => esc(&count_text(f.delivered, w)),
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            esc(&month_text(&m.month, w, false)),
            esc(&count_text(f.reports, w)),
            esc(&count_text(f.by_classification.pengaduan, w)),
            esc(&count_text(f.by_classification.aspirasi, w)),
            esc(&count_text(f.by_classification.permintaan_informasi, w)),
            delivered,
            f.median_minutes_to_first_status
                .map(|x| esc(&duration_text(x, w)))
                .unwrap_or_else(not_shown),
        );
    }
    out.push_str("</tbody></table></div></section>");
}

/// What stands for a figure not shown.
const DASH: &str = "\u{2013}";

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(site: Option<&str>, month: &str, kind: &str, reports: u64, delivered: u64) -> Tally {
        Tally {
            site_id: site.map(str::to_owned),
            month: month.into(),
            classification: kind.into(),
            reports,
            delivered,
            first_status_secs: (0..delivered).map(|i| 60 * (i + 1)).collect(),
        }
    }

    #[test]
    fn small_counts_are_few_and_shares_and_medians_need_five() {
        let sites = crate::sites::Sites::default();
        let tallies = [
            tally(Some("a"), "2026-12", "pengaduan", 6, 5),
            tally(Some("a"), "2026-12", "aspirasi", 2, 1),
            tally(Some("a"), "2026-11", "pengaduan", 3, 3),
            tally(None, "2026-12", "aspirasi", 1, 0),
        ];
        let stats = compute(&tallies, &sites, None, "2026-12");
        let json = serde_json::to_value(&stats).unwrap();
        let a = &json["sites"][0];
        assert_eq!(a["id"], "a");
        let dec = &a["months"][0];
        assert_eq!(dec["month"], "2026-12");
        assert_eq!(dec["reports"], 8);
        assert_eq!(dec["by_classification"]["pengaduan"], 6);
        assert_eq!(dec["by_classification"]["aspirasi"], "< 5");
        assert_eq!(dec["by_classification"]["permintaan_informasi"], "< 5");
        assert_eq!(dec["delivered"], 6);
        assert_eq!(dec["delivered_share"], 0.75);
        // Delays 1..5 min and 1 min: the median of six is (2 + 3) / 2 = 2.5 min, shown as 3.
        assert_eq!(dec["median_minutes_to_first_status"], 3);
        let nov = &a["months"][1];
        assert_eq!(nov["reports"], "< 5");
        assert_eq!(nov["delivered_share"], serde_json::Value::Null);
        assert_eq!(
            nov["median_minutes_to_first_status"],
            serde_json::Value::Null
        );
        assert_eq!(a["last_12_months"]["reports"], 11);
        assert_eq!(a["last_12_months"]["from"], "2026-01");
        // Reports without a site come last.
        assert_eq!(json["sites"][1]["id"], serde_json::Value::Null);
        assert_eq!(json["sites"][1]["months"][0]["reports"], "< 5");
    }

    #[test]
    fn months_and_durations_read_as_people_say_them() {
        assert_eq!(months_before("2026-03", 11), "2025-04");
        assert_eq!(months_before("2026-12", 11), "2026-01");
        assert_eq!(month_text("2026-12", &ID, false), "Desember 2026");
        assert_eq!(month_text("2026-08", &EN, true), "Aug 2026");
        assert_eq!(duration_text(0, &ID), "< 1 menit");
        assert_eq!(duration_text(135, &ID), "2 jam 15 menit");
        assert_eq!(duration_text(3 * 1440 + 120, &EN), "3 d 2 h");
        assert_eq!(number(12345, &ID), "12.345");
        assert_eq!(number(12345, &EN), "12,345");
    }

    #[test]
    fn the_query_takes_a_site_id_and_a_language_and_nothing_else() {
        assert!(parse_query(Some("site=kota-bontang&lang=en")).is_ok());
        assert!(parse_query(None).is_ok());
        for bad in ["site=<script>", "lang=fr", "x=1", "site=%41", "site=A"] {
            assert!(parse_query(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_hostile_site_name_is_escaped_in_the_page() {
        assert_eq!(
            esc("<b>\"Kota\" & 'x'</b>"),
            "&lt;b&gt;&quot;Kota&quot; &amp; &#39;x&#39;&lt;/b&gt;"
        );
    }
}
