//! Every text of the widget's own interface, in Bahasa Indonesia (the reference) and English.
//!
//! Validation messages are not here: they come from `lapor_core::messages`, keyed by the same
//! codes the gateway returns, so a browser-side and a server-side error read the same. Each
//! language is one value of [`Texts`]: a struct literal must name every field, so a text
//! missing in one language does not compile.

use lapor_core::messages::Lang;

/// The interface texts of one language. Templates mark their variables `{name}`, see [`fill`].
#[derive(Debug, PartialEq)]
pub struct Texts {
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub optional: &'static str,
    pub classification_legend: &'static str,
    pub pengaduan: &'static str,
    pub pengaduan_hint: &'static str,
    pub aspirasi: &'static str,
    pub aspirasi_hint: &'static str,
    pub permintaan_informasi: &'static str,
    pub permintaan_informasi_hint: &'static str,
    pub title_label: &'static str,
    /// `{min}`, `{max}`.
    pub title_hint: &'static str,
    pub content_label: &'static str,
    /// `{min}`, `{max}`.
    pub content_hint: &'static str,
    /// `{count}`, `{max}`.
    pub content_counter: &'static str,
    pub incident_date_label: &'static str,
    pub incident_date_hint: &'static str,
    pub location_incident_legend: &'static str,
    pub location_origin_legend: &'static str,
    pub province_label: &'static str,
    pub regency_label: &'static str,
    pub district_label: &'static str,
    pub choose: &'static str,
    pub choose_province_first: &'static str,
    pub choose_regency_first: &'static str,
    pub regions_loading: &'static str,
    pub regions_failed: &'static str,
    pub districts_loading: &'static str,
    pub districts_failed: &'static str,
    pub institution_label: &'static str,
    pub category_label: &'static str,
    pub none_chosen: &'static str,
    pub attachments_label: &'static str,
    /// `{types}`, `{size}`, `{count}`, `{total}`.
    pub attachments_hint: &'static str,
    pub attachments_chosen: &'static str,
    pub attachments_refused: &'static str,
    pub remove: &'static str,
    /// `{name}`: the accessible name of a remove button.
    pub remove_file: &'static str,
    pub reporter_legend: &'static str,
    pub reporter_hint: &'static str,
    pub name_label: &'static str,
    pub nik_label: &'static str,
    pub nik_hint: &'static str,
    pub phone_label: &'static str,
    pub phone_hint: &'static str,
    pub email_label: &'static str,
    pub email_hint: &'static str,
    pub anonymous_label: &'static str,
    pub anonymous_hint: &'static str,
    pub secret_label: &'static str,
    pub secret_hint: &'static str,
    pub submit: &'static str,
    /// The submit button of the pre-rendered form, pressed before the widget has started: the
    /// report is sent as soon as it has.
    pub submit_pending: &'static str,
    pub summary_title: &'static str,
    pub warning_prefix: &'static str,
    pub sending: &'static str,
    pub upload_progress: &'static str,
    pub failure_network: &'static str,
    pub failure_server: &'static str,
    pub failure_rate_limited: &'static str,
    pub failure_rejected: &'static str,
    pub failure_too_large: &'static str,
    pub failure_kept: &'static str,
    pub file_working: &'static str,
    pub file_resized: &'static str,
    pub file_cleaned: &'static str,
    pub refused_undecodable: &'static str,
    pub refused_cannot_fit: &'static str,
    pub advice_too_large: &'static str,
    pub advice_type: &'static str,
    pub queued_title: &'static str,
    pub queued_body: &'static str,
    pub queued_retry: &'static str,
    pub blocked_body: &'static str,
    pub expired: &'static str,
    pub restored: &'static str,
    pub discard_draft: &'static str,
    pub draft_saved: &'static str,
    pub waiting_files: &'static str,
    pub retry: &'static str,
    pub receipt_title: &'static str,
    pub receipt_intro: &'static str,
    pub tracking_label: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub copy_failed: &'static str,
    pub next_title: &'static str,
    pub next_verification: &'static str,
    pub next_follow_up: &'static str,
    pub next_response: &'static str,
    pub next_done: &'static str,
    pub new_report: &'static str,
}

/// Bahasa Indonesia: the reference text. The labels are those of the widget issue, exactly.
pub const ID: Texts = Texts {
    form_title: "Sampaikan Laporan Anda",
    form_intro: "Laporan Anda diteruskan ke SP4N-LAPOR!, layanan pengaduan pelayanan publik nasional.",
    optional: "(opsional)",
    classification_legend: "Jenis Laporan",
    pengaduan: "Pengaduan",
    pengaduan_hint: "Masalah pelayanan publik yang Anda alami atau saksikan.",
    aspirasi: "Aspirasi",
    aspirasi_hint: "Usulan atau saran untuk memperbaiki pelayanan publik.",
    permintaan_informasi: "Permintaan Informasi",
    permintaan_informasi_hint: "Pertanyaan atau permintaan informasi publik kepada instansi.",
    title_label: "Judul Laporan",
    title_hint: "Ringkasan singkat, {min}–{max} karakter.",
    content_label: "Isi Laporan",
    content_hint: "Ceritakan apa yang terjadi, di mana, kapan, dan siapa yang terlibat. {min}–{max} karakter.",
    content_counter: "{count} dari {max} karakter",
    incident_date_label: "Tanggal Kejadian",
    incident_date_hint: "Tidak boleh setelah hari ini.",
    location_incident_legend: "Lokasi Kejadian",
    location_origin_legend: "Asal Pelapor",
    province_label: "Provinsi",
    regency_label: "Kabupaten/Kota",
    district_label: "Kecamatan",
    choose: "Pilih…",
    choose_province_first: "Pilih provinsi dahulu",
    choose_regency_first: "Pilih kabupaten/kota dahulu",
    regions_loading: "Memuat daftar wilayah…",
    regions_failed: "Daftar wilayah tidak dapat dimuat. Periksa koneksi Anda; daftar dicoba lagi otomatis.",
    districts_loading: "Memuat daftar kecamatan…",
    districts_failed: "Daftar kecamatan tidak dapat dimuat. Laporan tetap dapat dikirim tanpa kecamatan.",
    institution_label: "Instansi Tujuan",
    category_label: "Kategori",
    none_chosen: "Tidak dipilih",
    attachments_label: "Lampiran",
    attachments_hint: "Jenis berkas: {types}. Paling besar {size} per berkas, paling banyak {count} berkas, total {total}.",
    attachments_chosen: "Berkas yang dilampirkan",
    attachments_refused: "Berkas yang tidak dilampirkan",
    remove: "Hapus",
    remove_file: "Hapus {name}",
    reporter_legend: "Data Pelapor",
    reporter_hint: "Data diri Anda hanya diteruskan ke LAPOR! untuk menindaklanjuti laporan.",
    name_label: "Nama Lengkap",
    nik_label: "NIK",
    nik_hint: "16 digit Nomor Induk Kependudukan, sesuai KTP.",
    phone_label: "Nomor Telepon",
    phone_hint: "Nomor ponsel, misalnya 0812 3456 7890.",
    email_label: "Email",
    email_hint: "Untuk menerima kabar perkembangan laporan.",
    anonymous_label: "Anonim",
    anonymous_hint: "Nama Anda tidak ditampilkan pada laporan.",
    secret_label: "Rahasia",
    secret_hint: "Laporan Anda tidak dapat dilihat oleh publik.",
    submit: "Kirim Laporan",
    submit_pending: "Laporan akan dikirim sebentar lagi…",
    summary_title: "Ada yang perlu diperbaiki",
    warning_prefix: "Perhatian:",
    sending: "Mengirim laporan…",
    upload_progress: "Kemajuan pengiriman",
    failure_network: "Laporan belum terkirim: sambungan gagal atau diblokir.",
    failure_server: "Laporan belum terkirim: layanan sedang mengalami gangguan.",
    failure_rate_limited: "Laporan belum terkirim: terlalu banyak laporan dalam waktu singkat. Tunggu sebentar.",
    failure_rejected: "Laporan belum terkirim: layanan menolak permintaan ini.",
    failure_too_large: "Laporan belum terkirim: lampiran terlalu besar untuk dikirim.",
    failure_kept: "Semua isian dan lampiran Anda tetap tersimpan di sini.",
    file_working: "Mengecilkan foto dan menghapus data lokasinya… {percent}%",
    file_resized: "diperkecil dari {size}",
    file_cleaned: "data lokasi dan kamera dihapus",
    refused_undecodable: "Foto ini tidak dapat dibuka di peramban ini (misalnya foto HEIC dari iPhone). Ubah ke JPEG dulu (di iPhone: Pengaturan › Kamera › Format › Paling Kompatibel), atau lampirkan tangkapan layar foto itu.",
    refused_cannot_fit: "Foto ini tetap terlalu besar walau sudah diperkecil. Lampirkan tangkapan layar foto itu sebagai gantinya.",
    advice_too_large: "Perkecil berkasnya (misalnya simpan ulang PDF dengan kualitas lebih rendah) atau bagi menjadi beberapa berkas, lalu lampirkan lagi.",
    advice_type: "Lampirkan foto JPEG atau PNG, atau dokumen PDF. Foto HEIC dari iPhone: ubah ke JPEG dulu (Pengaturan › Kamera › Format › Paling Kompatibel).",
    queued_title: "Laporan menunggu koneksi",
    queued_body: "Tidak ada koneksi internet. Laporan Anda tersimpan di perangkat ini dan akan dikirim otomatis begitu koneksi kembali, juga jika Anda menutup halaman ini lalu membukanya lagi nanti di situs ini. Nomor pelacakan tampil di sini setelah laporan diterima.",
    queued_retry: "Coba kirim sekarang",
    blocked_body: "Jaringan yang Anda pakai menghalangi pengiriman (misalnya Wi-Fi umum yang meminta Anda masuk dulu, atau penyaring internet). Laporan Anda tersimpan di perangkat ini dan akan dikirim lagi otomatis, juga jika Anda membuka halaman ini lagi nanti di situs ini. Coba dari jaringan lain bila masih gagal.",
    expired: "Laporan yang menunggu koneksi di perangkat ini sejak lebih dari 7 hari lalu telah dihapus, agar NIK Anda tidak tersimpan terlalu lama. Isi dan kirim laporan Anda lagi bila masih perlu.",
    restored: "Draf laporan Anda dipulihkan dari perangkat ini. NIK tidak disimpan dalam draf: isi kembali sebelum mengirim.",
    discard_draft: "Hapus draf",
    draft_saved: "Draf tersimpan otomatis di perangkat ini (tanpa NIK).",
    waiting_files: "Laporan akan dikirim setelah foto selesai diproses…",
    retry: "Coba lagi",
    receipt_title: "Laporan Anda telah diterima",
    receipt_intro: "Simpan nomor pelacakan ini untuk memantau laporan Anda.",
    tracking_label: "Nomor pelacakan",
    copy: "Salin nomor",
    copied: "Nomor pelacakan telah disalin.",
    copy_failed: "Nomor tidak dapat disalin otomatis. Silakan catat nomor di atas.",
    next_title: "Apa selanjutnya",
    next_verification: "Verifikasi: laporan Anda diperiksa dalam 3 hari kerja.",
    next_follow_up: "Tindak lanjut: instansi yang berwenang menangani laporan Anda.",
    next_response: "Tanggapan: instansi memberikan jawaban atas laporan Anda.",
    next_done: "Selesai: laporan ditutup setelah ditanggapi.",
    new_report: "Buat laporan baru",
};

/// English.
pub const EN: Texts = Texts {
    form_title: "Send Your Report",
    form_intro:
        "Your report goes to SP4N-LAPOR!, Indonesia's national public-service complaint channel.",
    optional: "(optional)",
    classification_legend: "Type of report",
    pengaduan: "Complaint",
    pengaduan_hint: "A problem with a public service that you experienced or witnessed.",
    aspirasi: "Aspiration",
    aspirasi_hint: "A proposal or suggestion to improve a public service.",
    permintaan_informasi: "Information Request",
    permintaan_informasi_hint: "A question or a request for public information from an agency.",
    title_label: "Report title",
    title_hint: "A short summary, {min}–{max} characters.",
    content_label: "Report details",
    content_hint: "Tell what happened, where, when, and who was involved. {min}–{max} characters.",
    content_counter: "{count} of {max} characters",
    incident_date_label: "Date of incident",
    incident_date_hint: "Not after today.",
    location_incident_legend: "Incident location",
    location_origin_legend: "Where you are from",
    province_label: "Province",
    regency_label: "Regency/City",
    district_label: "District",
    choose: "Choose…",
    choose_province_first: "Choose a province first",
    choose_regency_first: "Choose a regency/city first",
    regions_loading: "Loading the list of regions…",
    regions_failed: "The list of regions could not be loaded. Check your connection; it is tried again automatically.",
    districts_loading: "Loading the districts…",
    districts_failed:
        "The districts could not be loaded. You can still send the report without one.",
    institution_label: "Target agency",
    category_label: "Category",
    none_chosen: "None",
    attachments_label: "Attachments",
    attachments_hint:
        "File types: {types}. At most {size} per file, at most {count} files, {total} in total.",
    attachments_chosen: "Attached files",
    attachments_refused: "Files not attached",
    remove: "Remove",
    remove_file: "Remove {name}",
    reporter_legend: "About you",
    reporter_hint: "Your personal data goes only to LAPOR!, to follow up on your report.",
    name_label: "Full name",
    nik_label: "NIK (national identity number)",
    nik_hint: "The 16 digits of the Nomor Induk Kependudukan on your identity card (KTP).",
    phone_label: "Phone number",
    phone_hint: "A mobile number, for example 0812 3456 7890.",
    email_label: "Email",
    email_hint: "To receive news about your report.",
    anonymous_label: "Anonymous",
    anonymous_hint: "Your name is not shown on the report.",
    secret_label: "Confidential",
    secret_hint: "Your report is not visible to the public.",
    submit: "Send report",
    submit_pending: "Your report will be sent in a moment…",
    summary_title: "There is a problem",
    warning_prefix: "Note:",
    sending: "Sending the report…",
    upload_progress: "Sending progress",
    failure_network: "Your report was not sent: the connection failed or was blocked.",
    failure_server: "Your report was not sent: the service is having problems.",
    failure_rate_limited:
        "Your report was not sent: too many reports in a short time. Please wait a moment.",
    failure_rejected: "Your report was not sent: the service refused the request.",
    failure_too_large: "Your report was not sent: the attachments are too large to send.",
    failure_kept: "Everything you entered and attached is kept here.",
    file_working: "Making the photo smaller and removing its location data… {percent}%",
    file_resized: "reduced from {size}",
    file_cleaned: "location and camera data removed",
    refused_undecodable: "This browser cannot open the photo (for example a HEIC photo from an iPhone). Convert it to JPEG first (on an iPhone: Settings › Camera › Formats › Most Compatible), or attach a screenshot of it.",
    refused_cannot_fit: "The photo is still too large even when made smaller. Attach a screenshot of it instead.",
    advice_too_large: "Make the file smaller (for example save the PDF again at a lower quality) or split it into several files, then attach them again.",
    advice_type: "Attach a JPEG or PNG photo, or a PDF document. A HEIC photo from an iPhone: convert it to JPEG first (Settings › Camera › Formats › Most Compatible).",
    queued_title: "Your report is waiting for a connection",
    queued_body: "There is no internet connection. Your report is stored on this device and will be sent automatically as soon as the connection is back, also if you close this page and open it again later on this site. The tracking number shows here once the report is received.",
    queued_retry: "Try sending now",
    blocked_body: "The network you are on blocked the sending (for example public Wi-Fi that asks you to sign in first, or an internet filter). Your report is stored on this device and will be sent again automatically, also if you open this page again later on this site. Try another network if it keeps failing.",
    expired: "A report that had been waiting for a connection on this device for more than 7 days was deleted, so that your NIK is not kept too long. Fill in and send your report again if you still need to.",
    restored: "Your draft report was restored from this device. The NIK is not kept in drafts: enter it again before sending.",
    discard_draft: "Delete draft",
    draft_saved: "Draft saved automatically on this device (without the NIK).",
    waiting_files: "The report will be sent once the photos are ready…",
    retry: "Try again",
    receipt_title: "Your report has been received",
    receipt_intro: "Keep this tracking number to follow your report.",
    tracking_label: "Tracking number",
    copy: "Copy number",
    copied: "The tracking number has been copied.",
    copy_failed:
        "The number could not be copied automatically. Please write down the number above.",
    next_title: "What happens next",
    next_verification: "Verification: your report is checked within 3 working days.",
    next_follow_up: "Follow-up: the responsible agency handles your report.",
    next_response: "Response: the agency answers your report.",
    next_done: "Done: the report is closed once answered.",
    new_report: "File a new report",
};

/// The message shown in the widget's place when the host page gave no usable endpoint. It is
/// in both languages at once: without a valid configuration the language may be wrong too.
pub const MISSING_ENDPOINT: &str = "Formulir LAPOR! tidak dapat ditampilkan: alamat layanan \
(data-endpoint) tidak diisi atau tidak valid. / The LAPOR! form cannot be shown: the service \
address (data-endpoint) is missing or invalid.";

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::En => &EN,
        _ => &ID,
    }
}

/// Replaces each `{name}` in `template` by its value; an unknown `{name}` stays as it is.
///
/// A hand-written scan rather than `str::replace`: it is called on every render and keeps
/// the substring-search machinery out of the Wasm.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, *v))
        });
        match value {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A short name for a MIME type, as citizens know it (`JPG`, `PNG`, `PDF`).
pub fn type_name(mime: &str) -> &str {
    match mime {
        "image/jpeg" => "JPG",
        "image/png" => "PNG",
        "application/pdf" => "PDF",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_is_blank_in_either_language() {
        // Debug prints every field; a blank one would show as `: ""`.
        for t in [&ID, &EN] {
            let debug = format!("{t:?}");
            assert!(!debug.contains(": \"\""), "a blank text in {debug}");
        }
        // The check itself can fail: a blank text is seen.
        assert!(format!("{:?}", Texts { submit: "", ..ID }).contains(": \"\""));
    }

    #[test]
    fn the_issue_labels_are_exact_in_indonesian() {
        let labels = [
            ID.pengaduan,
            ID.aspirasi,
            ID.permintaan_informasi,
            ID.title_label,
            ID.content_label,
            ID.incident_date_label,
            ID.province_label,
            ID.regency_label,
            ID.district_label,
            ID.location_incident_legend,
            ID.location_origin_legend,
            ID.institution_label,
            ID.category_label,
            ID.attachments_label,
            ID.name_label,
            ID.nik_label,
            ID.phone_label,
            ID.email_label,
            ID.anonymous_label,
            ID.secret_label,
            ID.submit,
        ];
        assert_eq!(
            labels.join("|"),
            "Pengaduan|Aspirasi|Permintaan Informasi|Judul Laporan|Isi Laporan|Tanggal Kejadian|\
             Provinsi|Kabupaten/Kota|Kecamatan|Lokasi Kejadian|Asal Pelapor|Instansi Tujuan|\
             Kategori|Lampiran|Nama Lengkap|NIK|Nomor Telepon|Email|Anonim|Rahasia|Kirim Laporan"
        );
        assert_eq!(ID.optional, "(opsional)");
        assert_eq!(ID.retry, "Coba lagi");
        assert_eq!(ID.new_report, "Buat laporan baru");
    }

    #[test]
    fn templates_are_filled() {
        assert_eq!(
            fill(ID.content_counter, &[("count", "12"), ("max", "4000")]),
            "12 dari 4000 karakter"
        );
        assert_eq!(
            fill(EN.remove_file, &[("name", "foto.jpg")]),
            "Remove foto.jpg"
        );
        assert_eq!(
            fill("{a}{b} {c} {", &[("a", "1"), ("b", "{a}")]),
            "1{a} {c} {"
        );
        assert_eq!(fill("", &[]), "");
        // Every variable of a template is the same in both languages.
        for (id, en) in [
            (ID.title_hint, EN.title_hint),
            (ID.content_hint, EN.content_hint),
            (ID.content_counter, EN.content_counter),
            (ID.attachments_hint, EN.attachments_hint),
            (ID.remove_file, EN.remove_file),
        ] {
            let vars = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}'))
                    .map(|(n, _)| n.to_owned())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(vars(id), vars(en), "{id} / {en}");
        }
    }
}
