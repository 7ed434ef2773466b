//! The sites registry: which Pemda sites embed the widget, by origin. Each site has an id, its
//! origins, the Pemda's name, optionally its region (a province or regency code of core's
//! tables, which the form preselects) and a default institution. `--sites-file` gives them in
//! TOML; each `--allow-origin` is a site of its own with no region.
//!
//! ```toml
//! [[site]]
//! id = "kota-bontang"
//! name = "Pemerintah Kota Bontang"
//! origins = ["https://bontangkota.go.id", "https://www.bontangkota.go.id"]
//! region_code = "6474"
//! # institution_id = "…"   (optional: LAPOR!'s id of the agency reports go to by default)
//! ```
//!
//! The registry is shared behind a lock and replaced whole on `SIGHUP`, so a request sees either
//! the old registry or the new one, never half of each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::Deserialize;

use crate::config::normalize_origin;

/// One site that embeds the widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Stable, short, `[a-z0-9-]`: kept with each report, shown in metrics and statistics.
    pub id: String,
    /// The Pemda's name, as the citizen and LAPOR!'s agencies know it.
    pub name: String,
    /// Normalised origins (`https://host[:port]`).
    pub origins: Vec<String>,
    /// A province (2 digits) or regency (4 digits) code of core's tables.
    pub region_code: Option<String>,
    /// LAPOR!'s id of the institution reports from this site go to when the citizen names none.
    pub institution_id: Option<String>,
}

/// Every registered site, by id and by origin.
#[derive(Debug, Default)]
pub struct Sites {
    list: Vec<Arc<Site>>,
    by_origin: HashMap<String, Arc<Site>>,
}

/// One problem of a sites file, with the line it is on (1-based; 0 when it is not on one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for SiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    site: Vec<toml::Spanned<Entry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: toml::Spanned<String>,
    name: toml::Spanned<String>,
    origins: toml::Spanned<Vec<toml::Spanned<String>>>,
    #[serde(default)]
    region_code: Option<toml::Spanned<String>>,
    #[serde(default)]
    institution_id: Option<toml::Spanned<String>>,
}

impl Sites {
    /// Parses a sites file; every problem is listed with its line.
    pub fn parse(text: &str) -> Result<Sites, Vec<SiteError>> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let file: File = toml::from_str(text).map_err(|e| {
            vec![SiteError {
                line: e.span().map_or(0, |s| line_of(s.start)),
                message: e.message().to_owned(),
            }]
        })?;
        let mut errors = Vec::new();
        let mut sites = Vec::new();
        let mut seen_ids: HashMap<String, usize> = HashMap::new();
        let mut seen_origins: HashMap<String, usize> = HashMap::new();
        for entry in file.site {
            let entry_line = line_of(entry.span().start);
            let entry = entry.into_inner();
            let mut problem = |span: std::ops::Range<usize>, message: String| {
                errors.push(SiteError {
                    line: line_of(span.start),
                    message,
                })
            };
            let id = entry.id.get_ref().trim().to_owned();
            let id_ok = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !id_ok {
                problem(
                    entry.id.span(),
                    format!("id {id:?} must be 1-64 characters of a-z, 0-9 and -"),
                );
            } else if let Some(first) = seen_ids.insert(id.clone(), entry_line) {
                problem(
                    entry.id.span(),
                    format!("id {id:?} is already the id of the site on line {first}"),
                );
            }
            let name = entry.name.get_ref().trim().to_owned();
            if name.is_empty() || name.chars().count() > 120 {
                problem(entry.name.span(), "name must be 1-120 characters".into());
            }
            let mut origins = Vec::new();
            if entry.origins.get_ref().is_empty() {
                problem(
                    entry.origins.span(),
                    "origins must list at least one".into(),
                );
            }
            for origin in entry.origins.get_ref() {
                let normal = normalize_origin(origin.get_ref());
                if !is_origin(&normal) {
                    problem(
                        origin.span(),
                        format!(
                            "{:?} is not an origin (https://host[:port])",
                            origin.get_ref()
                        ),
                    );
                } else if let Some(first) = seen_origins.insert(normal.clone(), entry_line) {
                    problem(
                        origin.span(),
                        format!("{normal} is already an origin of the site on line {first}"),
                    );
                } else {
                    origins.push(normal);
                }
            }
            let region_code = entry
                .region_code
                .as_ref()
                .map(|c| c.get_ref().trim().to_owned());
            if let (Some(code), Some(spanned)) = (&region_code, &entry.region_code) {
                if !is_region(code) {
                    problem(
                        spanned.span(),
                        format!("region_code {code:?} is neither a province nor a regency code"),
                    );
                }
            }
            let institution_id = entry
                .institution_id
                .as_ref()
                .map(|i| i.get_ref().trim().to_owned());
            if let (Some(institution), Some(spanned)) = (&institution_id, &entry.institution_id) {
                if institution.is_empty() || institution.len() > 64 {
                    problem(
                        spanned.span(),
                        "institution_id must be 1-64 characters".into(),
                    );
                }
            }
            sites.push(Site {
                id,
                name,
                origins,
                region_code,
                institution_id,
            });
        }
        if errors.is_empty() {
            Ok(Sites::from_list(sites))
        } else {
            errors.sort_by_key(|e| e.line);
            Err(errors)
        }
    }

    /// Reads and parses a sites file.
    pub fn load(path: &Path) -> anyhow::Result<Sites> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
        Sites::parse(&text).map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(|e| format!("  {e}")).collect();
            anyhow::anyhow!(
                "{} is not a valid sites file:\n{}",
                path.display(),
                lines.join("\n")
            )
        })
    }

    /// Adds each `--allow-origin` not registered in the file as a site of its own, with no
    /// region: its id is its host.
    pub fn with_allowed_origins(self, origins: &[String]) -> Sites {
        let mut list: Vec<Site> = self.list.iter().map(|s| Site::clone(s)).collect();
        for origin in origins {
            if self.by_origin.contains_key(origin) {
                continue;
            }
            let host = origin.split("://").nth(1).unwrap_or(origin);
            let id: String = host
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            list.push(Site {
                id,
                name: host.to_owned(),
                origins: vec![origin.clone()],
                region_code: None,
                institution_id: None,
            });
        }
        Sites::from_list(list)
    }

    fn from_list(list: Vec<Site>) -> Sites {
        let list: Vec<Arc<Site>> = list.into_iter().map(Arc::new).collect();
        let by_origin = list
            .iter()
            .flat_map(|site| site.origins.iter().map(|o| (o.clone(), site.clone())))
            .collect();
        Sites { list, by_origin }
    }

    /// The site a (normalised) origin belongs to.
    pub fn for_origin(&self, origin: &str) -> Option<&Arc<Site>> {
        self.by_origin.get(origin)
    }

    /// The site of an id.
    pub fn by_id(&self, id: &str) -> Option<&Arc<Site>> {
        self.list.iter().find(|s| s.id == id)
    }

    /// Every site, in the file's order.
    pub fn all(&self) -> &[Arc<Site>] {
        &self.list
    }

    /// Every registered origin.
    pub fn origins(&self) -> impl Iterator<Item = &String> {
        self.by_origin.keys()
    }
}

fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', ' ', '@'])
}

fn is_region(code: &str) -> bool {
    match code.len() {
        2 => lapor_core::region::province(code).is_some(),
        4 => lapor_core::region::regency(code).is_some(),
        _ => false,
    }
}

/// The registry as the server shares it: read by every request, replaced whole on `SIGHUP`.
#[derive(Clone)]
pub struct SharedSites {
    current: Arc<RwLock<Arc<Sites>>>,
    file: Option<PathBuf>,
    allowed: Arc<Vec<String>>,
}

impl SharedSites {
    /// Loads the registry: the sites file (if any) and the `--allow-origin` sites.
    pub fn load(file: Option<PathBuf>, allowed: Vec<String>) -> anyhow::Result<SharedSites> {
        let sites = match &file {
            Some(path) => Sites::load(path)?,
            None => Sites::default(),
        }
        .with_allowed_origins(&allowed);
        Ok(SharedSites {
            current: Arc::new(RwLock::new(Arc::new(sites))),
            file,
            allowed: Arc::new(allowed),
        })
    }

    /// The registry now.
    pub fn get(&self) -> Arc<Sites> {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Reads the sites file again; on any problem the registry in force stays. Returns how
    /// many sites there are now.
    pub fn reload(&self) -> anyhow::Result<usize> {
        let Some(path) = &self.file else {
            return Ok(self.get().all().len());
        };
        let sites = Sites::load(path)?.with_allowed_origins(&self.allowed);
        let count = sites.all().len();
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(sites);
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[site]]
id = "kota-bontang"
name = "Pemerintah Kota Bontang"
origins = ["https://bontangkota.go.id/", "https://WWW.bontangkota.go.id"]
region_code = "6474"

[[site]]
id = "prov-kaltim"
name = "Pemerintah Provinsi Kalimantan Timur"
origins = ["https://kaltimprov.go.id"]
region_code = "64"
institution_id = "123"
"#;

    #[test]
    fn a_good_file_registers_each_site_under_each_origin() {
        let sites = Sites::parse(GOOD).unwrap();
        assert_eq!(sites.all().len(), 2);
        let bontang = sites.for_origin("https://www.bontangkota.go.id").unwrap();
        assert_eq!(bontang.id, "kota-bontang");
        assert_eq!(bontang.region_code.as_deref(), Some("6474"));
        assert_eq!(
            sites
                .for_origin("https://kaltimprov.go.id")
                .unwrap()
                .institution_id
                .as_deref(),
            Some("123")
        );
        assert!(sites.for_origin("https://example.go.id").is_none());
    }

    #[test]
    fn each_bad_line_is_named() {
        let bad = r#"
[[site]]
id = "kota-bontang"
name = "Pemerintah Kota Bontang"
origins = ["https://bontangkota.go.id"]
region_code = "9999"

[[site]]
id = "kota-bontang"
name = ""
origins = ["ftp://x", "https://bontangkota.go.id"]
"#;
        let errors = Sites::parse(bad).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [6, 9, 10, 11, 11], "{errors:?}");
        assert!(errors[0].message.contains("9999"));
        assert!(errors[1].message.contains("line 2"), "{errors:?}");
        let syntax = Sites::parse("[[site]]\nid = \n").unwrap_err();
        assert_eq!(syntax[0].line, 2, "{syntax:?}");
        let unknown = Sites::parse("[[site]]\nid = \"a\"\nname = \"A\"\norigins = [\"https://a.go.id\"]\nregion = \"64\"\n").unwrap_err();
        assert!(unknown[0].message.contains("region"), "{unknown:?}");
    }

    #[test]
    fn allowed_origins_are_sites_without_a_region() {
        let sites = Sites::parse(GOOD).unwrap().with_allowed_origins(&[
            "http://127.0.0.1:8000".into(),
            "https://kaltimprov.go.id".into(),
        ]);
        assert_eq!(sites.all().len(), 3);
        let plain = sites.for_origin("http://127.0.0.1:8000").unwrap();
        assert_eq!(
            (plain.id.as_str(), plain.region_code.as_deref()),
            ("127-0-0-1-8000", None)
        );
    }
}
