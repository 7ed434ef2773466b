//! The message catalogue: a sentence for every error code, in Bahasa Indonesia (the reference
//! text) and in English, written for a citizen rather than a developer.
//!
//! The gateway returns codes, never sentences, so a server-side error shows in the citizen's
//! language through this same catalogue.

use crate::{Code, Config, Field, FieldError};

/// A language of the widget. Bahasa Indonesia is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// `id` or `en`; also accepts region subtags such as `en-GB` or `id-ID`.
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "id" | "in" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

/// The sentence for a code, with no numbers in it.
pub fn message(code: Code, lang: Lang) -> &'static str {
    let (id, en) = match code {
        Code::Required => ("Bagian ini wajib diisi", "This field is required"),
        Code::NotAllowed => (
            "Bagian ini tidak dipakai untuk jenis laporan yang dipilih",
            "This field does not apply to the chosen kind of report",
        ),
        Code::TooShort => ("Teks ini terlalu pendek", "This text is too short"),
        Code::TooLong => ("Teks ini terlalu panjang", "This text is too long"),
        Code::UnknownClassification => (
            "Pilih jenis laporan: Pengaduan, Aspirasi, atau Permintaan Informasi",
            "Choose the kind of report: complaint, aspiration or information request",
        ),
        Code::DateFormat => (
            "Tanggal tidak dikenali. Gunakan pemilih tanggal atau format TTTT-BB-HH",
            "The date is not recognised. Use the date picker or the format YYYY-MM-DD",
        ),
        Code::DateFuture => (
            "Tanggal kejadian tidak boleh setelah hari ini",
            "The date of the incident cannot be after today",
        ),
        Code::UnknownLocation => (
            "Wilayah tidak dikenali. Pilih provinsi dan kabupaten/kota dari daftar",
            "The region is not recognised. Choose the province and regency/city from the list",
        ),
        Code::UnknownInstitution => (
            "Instansi tujuan tidak ada dalam daftar. Pilih dari daftar atau kosongkan",
            "The target agency is not in the list. Choose one from the list or leave it empty",
        ),
        Code::UnknownCategory => (
            "Kategori tidak ada dalam daftar. Pilih dari daftar atau kosongkan",
            "The category is not in the list. Choose one from the list or leave it empty",
        ),
        Code::NameFormat => (
            "Nama hanya boleh berisi huruf, spasi, dan tanda . , ' -",
            "A name can only contain letters, spaces and the marks . , ' -",
        ),
        Code::NikFormat => (
            "NIK harus 16 angka, seperti yang tertulis di KTP, dan tidak diawali angka 0",
            "The NIK must be 16 digits, as printed on the ID card (KTP), and cannot start with 0",
        ),
        Code::NikProvince => (
            "Dua angka pertama NIK bukan kode provinsi. Periksa kembali NIK di KTP Anda",
            "The first two digits of the NIK are not a province code. Check the NIK on your ID card",
        ),
        Code::NikBirthDate => (
            "Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang benar. Periksa kembali NIK di KTP Anda",
            "Digits 7 to 12 of the NIK are not a valid date of birth. Check the NIK on your ID card",
        ),
        Code::NikSerial => (
            "Empat angka terakhir NIK tidak boleh 0000. Periksa kembali NIK di KTP Anda",
            "The last four digits of the NIK cannot be 0000. Check the NIK on your ID card",
        ),
        Code::PhoneFormat => (
            "Masukkan nomor HP Indonesia, misalnya 0812 3456 7890 atau +62 812 3456 7890",
            "Enter an Indonesian mobile number, for example 0812 3456 7890 or +62 812 3456 7890",
        ),
        Code::EmailFormat => (
            "Masukkan alamat email yang benar, misalnya nama@contoh.id",
            "Enter a valid email address, for example name@example.id",
        ),
        Code::FileType => (
            "Jenis berkas ini tidak diterima. Lampirkan foto JPG atau PNG, atau dokumen PDF",
            "This kind of file is not accepted. Attach a JPG or PNG photo, or a PDF document",
        ),
        Code::FileTypeMismatch => (
            "Nama berkas tidak sesuai dengan isinya. Simpan ulang berkas dengan akhiran yang benar (.jpg, .png, atau .pdf)",
            "The file name does not match its content. Save the file again with the right ending (.jpg, .png or .pdf)",
        ),
        Code::FileEmpty => (
            "Berkas ini kosong. Pilih berkas lain",
            "This file is empty. Choose another file",
        ),
        Code::FileTooLarge => (
            "Berkas ini terlalu besar",
            "This file is too large",
        ),
        Code::TooManyFiles => (
            "Terlalu banyak lampiran",
            "Too many attachments",
        ),
        Code::TotalTooLarge => (
            "Ukuran semua lampiran bersama-sama terlalu besar",
            "The attachments together are too large",
        ),
        Code::FilePdfUnsafe => (
            "PDF ini berisi skrip atau berkas sisipan, atau dikunci dengan kata sandi, sehingga tidak dapat diterima. Simpan ulang sebagai PDF biasa (misalnya lewat Cetak › Simpan sebagai PDF), lalu lampirkan lagi",
            "This PDF contains scripts or embedded files, or is locked with a password, so it cannot be accepted. Save it again as a plain PDF (for example with Print › Save as PDF), then attach it again",
        ),
        Code::NikRegencyUnknown => (
            "Kode kabupaten/kota pada NIK tidak kami kenali. Jika NIK sudah sesuai KTP, laporan tetap bisa dikirim",
            "We do not recognise the regency code in this NIK. If it matches your ID card, you can still send the report",
        ),
    };
    match lang {
        Lang::Id => id,
        Lang::En => en,
    }
}

/// The full sentence for one field error, with the limit that applies (a number of characters,
/// of megabytes, of files) where the bare code would leave the citizen guessing.
pub fn field_error_message(err: &FieldError, lang: Lang, config: &Config) -> String {
    let base = message(err.code, lang);
    let limits = &config.limits;
    let chars = |min: usize, max: usize| -> Option<String> {
        Some(match (err.code, lang) {
            (Code::TooShort, Lang::Id) => format!("{base}: paling sedikit {min} karakter"),
            (Code::TooShort, Lang::En) => format!("{base}: at least {min} characters"),
            (Code::TooLong, Lang::Id) => format!("{base}: paling banyak {max} karakter"),
            (Code::TooLong, Lang::En) => format!("{base}: at most {max} characters"),
            _ => return None,
        })
    };
    let extra = match err.field {
        Field::Title => chars(limits.title_min, limits.title_max),
        Field::Content => chars(limits.content_min, limits.content_max),
        Field::LocationDetail => chars(0, crate::config::LOCATION_DETAIL_MAX),
        Field::ReporterName => chars(1, crate::config::NAME_MAX),
        _ => None,
    };
    if let Some(text) = extra {
        return text;
    }
    let a = &config.attachments;
    match (err.code, lang) {
        (Code::FileTooLarge, Lang::Id) => {
            format!(
                "{base}: paling besar {} per berkas",
                format_bytes(a.max_file_bytes, lang)
            )
        }
        (Code::FileTooLarge, Lang::En) => {
            format!(
                "{base}: at most {} per file",
                format_bytes(a.max_file_bytes, lang)
            )
        }
        (Code::TooManyFiles, Lang::Id) => format!("{base}: paling banyak {} berkas", a.max_files),
        (Code::TooManyFiles, Lang::En) => format!("{base}: at most {} files", a.max_files),
        (Code::TotalTooLarge, Lang::Id) => {
            format!(
                "{base}: paling besar {} seluruhnya",
                format_bytes(a.max_total_bytes, lang)
            )
        }
        (Code::TotalTooLarge, Lang::En) => {
            format!(
                "{base}: at most {} in all",
                format_bytes(a.max_total_bytes, lang)
            )
        }
        _ => base.to_owned(),
    }
}

/// A size for people: `2 MB`, `1,5 MB` (Indonesian decimal comma), `900 KB`.
pub fn format_bytes(bytes: u64, lang: Lang) -> String {
    const MB: u64 = 1024 * 1024;
    const KB: u64 = 1024;
    let (value_tenths, unit) = if bytes >= MB {
        ((bytes * 10 + MB / 2) / MB, "MB")
    } else if bytes >= KB {
        ((bytes * 10 + KB / 2) / KB, "KB")
    } else {
        (bytes * 10, "B")
    };
    let whole = value_tenths / 10;
    let tenth = value_tenths % 10;
    if tenth == 0 || whole >= 100 {
        format!("{} {unit}", (value_tenths + 5) / 10)
    } else {
        let sep = if lang == Lang::Id { ',' } else { '.' };
        format!("{whole}{sep}{tenth} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_sentence_in_every_language() {
        for code in Code::ALL {
            let id = message(code, Lang::Id);
            let en = message(code, Lang::En);
            assert!(id.len() > 10 && en.len() > 10, "{code}");
            assert_ne!(id, en, "{code} is not translated");
            assert!(
                !id.ends_with('.') && !en.ends_with('.'),
                "{code}: no trailing period"
            );
        }
    }

    #[test]
    fn sentences_are_distinct_per_code() {
        for lang in Lang::ALL {
            let mut seen: Vec<&str> = Code::ALL.iter().map(|c| message(*c, lang)).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), Code::ALL.len(), "{lang:?}");
        }
    }

    #[test]
    fn every_code_from_the_gateway_reads_back_to_its_sentence() {
        // The widget shows a gateway's 422 through `Code::parse` and this catalogue, codes it
        // never raises itself (`file_pdf_unsafe`) included.
        for code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code), "{code}");
        }
        for lang in Lang::ALL {
            assert!(
                message(Code::FilePdfUnsafe, lang).contains("PDF"),
                "{lang:?}"
            );
        }
    }

    #[test]
    fn limits_are_stated() {
        let config = Config::default();
        let check = |field, code, lang, expected: &str| {
            let text = field_error_message(&FieldError::new(field, code), lang, &config);
            assert!(text.contains(expected), "{text:?} lacks {expected:?}");
        };
        check(
            Field::Title,
            Code::TooShort,
            Lang::Id,
            "paling sedikit 10 karakter",
        );
        check(
            Field::Title,
            Code::TooLong,
            Lang::En,
            "at most 150 characters",
        );
        check(
            Field::Content,
            Code::TooShort,
            Lang::En,
            "at least 30 characters",
        );
        check(Field::Content, Code::TooLong, Lang::Id, "4000 karakter");
        check(
            Field::Attachment(0),
            Code::FileTooLarge,
            Lang::Id,
            "2 MB per berkas",
        );
        check(
            Field::Attachments,
            Code::TooManyFiles,
            Lang::En,
            "at most 5 files",
        );
        check(
            Field::Attachments,
            Code::TotalTooLarge,
            Lang::Id,
            "10 MB seluruhnya",
        );
        check(Field::ReporterNik, Code::NikSerial, Lang::Id, "0000");
    }

    #[test]
    fn formats_sizes() {
        let check = |bytes, lang, expected: &str| assert_eq!(format_bytes(bytes, lang), expected);
        check(2 * 1024 * 1024, Lang::Id, "2 MB");
        check(1536 * 1024, Lang::Id, "1,5 MB");
        check(1536 * 1024, Lang::En, "1.5 MB");
        check(500 * 1024, Lang::En, "500 KB");
        check(12, Lang::En, "12 B");
        check(0, Lang::Id, "0 B");
    }

    #[test]
    fn parses_languages() {
        assert_eq!(Lang::parse("id"), Some(Lang::Id));
        assert_eq!(Lang::parse("id-ID"), Some(Lang::Id));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("en_GB"), Some(Lang::En));
        assert_eq!(Lang::parse("jv"), None);
        assert_eq!(Lang::parse(""), None);
    }
}
