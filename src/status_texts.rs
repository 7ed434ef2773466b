//! The texts of the "Cek Status Laporan" view, in Bahasa Indonesia (the reference) and
//! English, and which text shows which status. What may be asked for, a tracking id, is
//! core's [`lapor_core::tracking::TrackingId`].
//!
//! Plain Rust, like [`crate::i18n`], so all of it is tested natively. Each language is one
//! value of [`StatusTexts`]: a struct literal must name every field, so a text missing in one
//! language does not compile.

use lapor_core::messages::Lang;
use lapor_core::tracking::TrackingIdError;

/// The status view's texts in one language. Templates mark their variables `{name}`, see
/// [`crate::i18n::fill`].
#[derive(Debug, PartialEq)]
pub struct StatusTexts {
    /// The accessible name of the pair of buttons that switch between the two views.
    pub views_label: &'static str,
    /// The button that shows the report form.
    pub view_form: &'static str,
    /// The button that shows the status view; also the view's heading.
    pub view_status: &'static str,
    pub intro: &'static str,
    /// Above the tracking ids of reports sent from this device.
    pub known_title: &'static str,
    pub id_label: &'static str,
    pub id_hint: &'static str,
    /// Inline error: nothing typed.
    pub id_missing: &'static str,
    /// Inline error: not a tracking id the gateway can know.
    pub id_invalid: &'static str,
    pub check: &'static str,
    pub checking: &'static str,
    /// `{id}`: the heading of a result.
    pub result_title: &'static str,
    pub stage_received: &'static str,
    pub stage_received_detail: &'static str,
    pub stage_forwarded: &'static str,
    pub stage_forwarded_detail: &'static str,
    pub stage_failed: &'static str,
    pub stage_failed_detail: &'static str,
    /// Before LAPOR!'s own status.
    pub lapor_label: &'static str,
    /// Forwarded, but no status synchronised from LAPOR! yet.
    pub lapor_pending: &'static str,
    /// LAPOR!'s status codes, as the simulator uses them (`verifikasi` → `selesai`).
    pub verifikasi: &'static str,
    pub tindak_lanjut: &'static str,
    pub tanggapan: &'static str,
    pub selesai: &'static str,
    /// `{id}`: the gateway knows no report with this tracking id.
    pub not_found: &'static str,
    pub failure_network: &'static str,
    pub failure_server: &'static str,
    pub retry: &'static str,
}

/// Bahasa Indonesia: the reference text.
pub const ID: StatusTexts = StatusTexts {
    views_label: "Pilih layanan",
    view_form: "Buat Laporan",
    view_status: "Cek Status Laporan",
    intro: "Lihat sampai di mana laporan Anda dengan nomor pelacakan dari tanda terimanya.",
    known_title: "Laporan dari perangkat ini",
    id_label: "Nomor Pelacakan",
    id_hint: "Misalnya LPR-7K2M-Q9TX-4HND.",
    id_missing: "Masukkan nomor pelacakan",
    id_invalid: "Nomor pelacakan hanya berisi huruf, angka, dan tanda hubung (-), paling \
                 banyak 32 karakter",
    check: "Cek Status",
    checking: "Memeriksa status…",
    result_title: "Laporan {id}",
    stage_received: "Diterima, sedang diteruskan ke LAPOR!",
    stage_received_detail: "Laporan Anda tersimpan dan diteruskan ke SP4N-LAPOR! secara \
                            otomatis. Tidak perlu dikirim ulang.",
    stage_forwarded: "Diteruskan ke LAPOR!",
    stage_forwarded_detail: "SP4N-LAPOR! telah menerima laporan Anda dan menanganinya.",
    stage_failed: "Gagal diteruskan ke LAPOR!",
    stage_failed_detail: "SP4N-LAPOR! tidak menerima laporan ini, jadi laporan ini tidak \
                          ditindaklanjuti. Kirim laporan baru, atau hubungi pengelola situs \
                          ini dengan menyebut nomor pelacakan di atas.",
    lapor_label: "Status di LAPOR!:",
    lapor_pending: "belum tersedia; diperbarui dari LAPOR! secara berkala.",
    verifikasi: "Verifikasi: petugas LAPOR! memeriksa laporan Anda, paling lama 3 hari kerja.",
    tindak_lanjut: "Tindak lanjut: instansi yang berwenang menangani laporan Anda, paling lama \
                    5 hari kerja.",
    tanggapan: "Tanggapan: instansi telah menanggapi laporan Anda.",
    selesai: "Selesai: laporan Anda telah ditanggapi dan ditutup.",
    not_found: "Tidak ada laporan dengan nomor pelacakan {id}. Periksa kembali nomornya.",
    failure_network: "Status tidak dapat diperiksa: sambungan gagal atau diblokir. Periksa \
                      koneksi Anda, lalu coba lagi.",
    failure_server: "Status tidak dapat diperiksa: layanan sedang terganggu. Coba lagi nanti.",
    retry: "Coba lagi",
};

/// English.
pub const EN: StatusTexts = StatusTexts {
    views_label: "Choose a service",
    view_form: "New report",
    view_status: "Check report status",
    intro: "See how far your report has got with the tracking number on its receipt.",
    known_title: "Reports from this device",
    id_label: "Tracking number",
    id_hint: "For example LPR-7K2M-Q9TX-4HND.",
    id_missing: "Enter your tracking number",
    id_invalid: "A tracking number has only letters, digits and hyphens (-), at most 32 \
                 characters",
    check: "Check status",
    checking: "Checking the status…",
    result_title: "Report {id}",
    stage_received: "Received, being forwarded to LAPOR!",
    stage_received_detail: "Your report is stored and goes to SP4N-LAPOR! automatically. \
                            There is no need to send it again.",
    stage_forwarded: "Forwarded to LAPOR!",
    stage_forwarded_detail: "SP4N-LAPOR! has received your report and is handling it.",
    stage_failed: "Could not be forwarded to LAPOR!",
    stage_failed_detail: "SP4N-LAPOR! did not accept this report, so it is not followed up. \
                          Send a new report, or contact the administrators of this website \
                          and give them the tracking number above.",
    lapor_label: "Status at LAPOR!:",
    lapor_pending: "not available yet; it is updated from LAPOR! regularly.",
    verifikasi: "Verification: LAPOR! staff check your report, within 3 working days.",
    tindak_lanjut: "Follow-up: the responsible agency handles your report, within 5 working \
                    days.",
    tanggapan: "Response: the agency has responded to your report.",
    selesai: "Done: your report has been answered and closed.",
    not_found: "There is no report with the tracking number {id}. Check the number again.",
    failure_network: "The status could not be checked: the connection failed or was blocked. \
                      Check your connection, then try again.",
    failure_server: "The status could not be checked: the service has problems. Try again \
                     later.",
    retry: "Try again",
};

/// The status view's texts of a language.
pub fn status_texts(lang: Lang) -> &'static StatusTexts {
    match lang {
        Lang::En => &EN,
        _ => &ID,
    }
}

impl StatusTexts {
    /// The inline error for a tracking id that cannot be asked for.
    pub fn id_error(&self, error: TrackingIdError) -> &'static str {
        match error {
            TrackingIdError::Missing => self.id_missing,
            TrackingIdError::Invalid => self.id_invalid,
        }
    }

    /// The text of one of LAPOR!'s status codes, `None` for a code this widget does not know
    /// (the view then shows LAPOR!'s own `status_name`: LAPOR!'s statuses are no closed list).
    pub fn lapor_status(&self, code: &str) -> Option<&'static str> {
        Some(match code {
            "verifikasi" => self.verifikasi,
            "tindak_lanjut" => self.tindak_lanjut,
            "tanggapan" => self.tanggapan,
            "selesai" => self.selesai,
            _ => return None,
        })
    }

    /// What to show of LAPOR!'s status: this widget's text for a code it knows, else LAPOR!'s
    /// own name, else the bare code, else "not available yet".
    pub fn lapor_status_text<'a>(&self, code: Option<&'a str>, name: Option<&'a str>) -> &'a str {
        if let Some(text) = code.and_then(|c| self.lapor_status(c)) {
            return text;
        }
        match name.filter(|n| !n.trim().is_empty()).or(code) {
            Some(shown) if !shown.trim().is_empty() => shown,
            _ => self.lapor_pending,
        }
    }

    /// The heading and explanation of the gateway's `status` (`received`, `forwarded`,
    /// `failed`). Anything else reads as received: the report exists, and the gateway has
    /// not said more.
    pub fn stage(&self, status: &str) -> (&'static str, &'static str) {
        match status {
            "forwarded" => (self.stage_forwarded, self.stage_forwarded_detail),
            "failed" => (self.stage_failed, self.stage_failed_detail),
            _ => (self.stage_received, self.stage_received_detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every text of a language. The destructuring names every field (no `..`), so a new
    /// field that is not listed here does not compile.
    fn all(t: &StatusTexts) -> Vec<(&'static str, &'static str)> {
        let StatusTexts {
            views_label,
            view_form,
            view_status,
            intro,
            known_title,
            id_label,
            id_hint,
            id_missing,
            id_invalid,
            check,
            checking,
            result_title,
            stage_received,
            stage_received_detail,
            stage_forwarded,
            stage_forwarded_detail,
            stage_failed,
            stage_failed_detail,
            lapor_label,
            lapor_pending,
            verifikasi,
            tindak_lanjut,
            tanggapan,
            selesai,
            not_found,
            failure_network,
            failure_server,
            retry,
        } = *t;
        vec![
            ("views_label", views_label),
            ("view_form", view_form),
            ("view_status", view_status),
            ("intro", intro),
            ("known_title", known_title),
            ("id_label", id_label),
            ("id_hint", id_hint),
            ("id_missing", id_missing),
            ("id_invalid", id_invalid),
            ("check", check),
            ("checking", checking),
            ("result_title", result_title),
            ("stage_received", stage_received),
            ("stage_received_detail", stage_received_detail),
            ("stage_forwarded", stage_forwarded),
            ("stage_forwarded_detail", stage_forwarded_detail),
            ("stage_failed", stage_failed),
            ("stage_failed_detail", stage_failed_detail),
            ("lapor_label", lapor_label),
            ("lapor_pending", lapor_pending),
            ("verifikasi", verifikasi),
            ("tindak_lanjut", tindak_lanjut),
            ("tanggapan", tanggapan),
            ("selesai", selesai),
            ("not_found", not_found),
            ("failure_network", failure_network),
            ("failure_server", failure_server),
            ("retry", retry),
        ]
    }

    /// The `{name}` variables of a template, sorted.
    fn vars(s: &str) -> Vec<&str> {
        let mut v: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}'))
            .map(|(n, _)| n)
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn both_languages_are_complete_and_distinct() {
        for (name, id, en) in all(&ID)
            .into_iter()
            .zip(all(&EN))
            .map(|((name, id), (_, en))| (name, id, en))
        {
            assert!(!id.trim().is_empty(), "{name} is blank in Indonesian");
            assert!(!en.trim().is_empty(), "{name} is blank in English");
            assert_ne!(id, en, "{name} is not translated");
            assert_eq!(
                vars(id),
                vars(en),
                "{name}: the same variables in both languages"
            );
            // Line continuations in the literals leave no double space behind.
            assert!(!id.contains("  ") && !en.contains("  "), "{name}");
        }
        // No two texts of one language are the same (a copy-paste slip).
        for t in [&ID, &EN] {
            let mut texts: Vec<&str> = all(t).into_iter().map(|(_, s)| s).collect();
            let count = texts.len();
            texts.sort_unstable();
            texts.dedup();
            assert_eq!(texts.len(), count);
        }
        // The checks can fail: a blank or untranslated text is seen.
        let blank = StatusTexts { retry: "", ..EN };
        assert!(all(&blank).iter().any(|(_, s)| s.is_empty()));
        assert_eq!(status_texts(Lang::En), &EN);
        assert_eq!(status_texts(Lang::Id), &ID);
    }

    #[test]
    fn the_brief_labels_are_exact() {
        assert_eq!(
            [ID.id_label, ID.check, ID.view_form, ID.view_status].join("|"),
            "Nomor Pelacakan|Cek Status|Buat Laporan|Cek Status Laporan"
        );
        assert_eq!(
            [EN.id_label, EN.check, EN.view_form, EN.view_status].join("|"),
            "Tracking number|Check status|New report|Check report status"
        );
        // Inline errors follow the catalogue's style: no trailing period.
        for t in [&ID, &EN] {
            assert!(!t.id_missing.ends_with('.') && !t.id_invalid.ends_with('.'));
        }
    }

    #[test]
    fn every_simulator_status_has_a_text_and_unknown_ones_have_none() {
        // The codes of gateway/src/simulator/store.rs STATUSES, in order.
        for code in ["verifikasi", "tindak_lanjut", "tanggapan", "selesai"] {
            let (id, en) = (ID.lapor_status(code), EN.lapor_status(code));
            assert!(id.is_some() && en.is_some(), "{code}");
            assert_ne!(id, en, "{code}");
        }
        assert_eq!(ID.lapor_status("Verifikasi"), None);
        assert_eq!(EN.lapor_status("ditutup"), None);
        assert_eq!(EN.lapor_status(""), None);
    }

    #[test]
    fn lapor_statuses_we_do_not_know_show_lapors_own_words() {
        let shown = |code, name| EN.lapor_status_text(code, name);
        assert_eq!(shown(Some("selesai"), Some("Selesai")), EN.selesai);
        assert_eq!(shown(Some("ditunda"), Some("Ditunda")), "Ditunda");
        assert_eq!(shown(Some("ditunda"), Some(" ")), "ditunda");
        assert_eq!(shown(Some("ditunda"), None), "ditunda");
        assert_eq!(shown(None, Some("Ditunda")), "Ditunda");
        assert_eq!(shown(None, None), EN.lapor_pending);
        assert_eq!(shown(Some(""), Some("")), EN.lapor_pending);
        assert_eq!(ID.lapor_status_text(None, None), ID.lapor_pending);
    }

    #[test]
    fn stages() {
        assert_eq!(ID.stage("received").0, ID.stage_received);
        assert_eq!(ID.stage("forwarded").0, ID.stage_forwarded);
        assert_eq!(
            EN.stage("failed"),
            (EN.stage_failed, EN.stage_failed_detail)
        );
        assert_eq!(EN.stage("something-new").0, EN.stage_received);
    }
}
