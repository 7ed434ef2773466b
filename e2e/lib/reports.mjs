// Believable reports of each kind, as a citizen of Bontang would file them.
import { jakartaDate, uniqueTitle } from "./env.mjs";

/** A reporter whose identity passes every rule (NIK of a woman born 17-08-1990 in Bontang). */
export const SITI = {
  name: "Siti Rahma",
  nik: "6474015708900003",
  phone: "081234567890",
  email: "siti.rahma@example.com",
};

const TEXTS = {
  pengaduan: {
    title: "Lampu jalan mati di Jl. Ahmad Yani",
    content:
      "Sudah dua minggu lampu jalan di depan SDN 001 Bontang Utara mati. " +
      "Jalan menjadi gelap dan rawan kecelakaan bagi anak-anak yang pulang mengaji.",
    location: { province: "Kalimantan Timur", regency: "Kota Bontang", district: "Bontang Utara" },
  },
  aspirasi: {
    title: "Usulan jalur sepeda di Jl. MT Haryono",
    content:
      "Banyak pelajar bersepeda ke sekolah melalui Jl. MT Haryono. Mohon dibuatkan jalur " +
      "sepeda yang terpisah dari jalur kendaraan bermotor agar lebih aman.",
    location: { province: "Kalimantan Timur", regency: "Kota Bontang" },
  },
  permintaan_informasi: {
    title: "Jadwal pengangkutan sampah Kelurahan Api-Api",
    content:
      "Mohon informasi jadwal resmi pengangkutan sampah rumah tangga di Kelurahan Api-Api, " +
      "termasuk hari libur nasional, beserta nomor kontak petugas yang dapat dihubungi.",
    location: { province: "Kalimantan Timur", regency: "Kota Samarinda" },
  },
};

/** A complete report of `kind` with a unique title; `files` as for setInputFiles. */
export function sampleReport(kind, files) {
  const t = TEXTS[kind];
  return {
    kind,
    title: uniqueTitle(t.title),
    content: t.content,
    incidentDate: kind === "pengaduan" ? jakartaDate(5) : undefined,
    location: t.location,
    reporter: SITI,
    files,
  };
}
