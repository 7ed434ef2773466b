// Page object for the first screen: the report form, found the way a citizen finds things,
// by visible label and by role. Playwright's locators pierce the widget's open shadow root.
import { eventually } from "./env.mjs";

/** Names of the three kinds of report as the form shows them, by language. */
export const KIND_LABEL = {
  id: { pengaduan: "Pengaduan", aspirasi: "Aspirasi", permintaan_informasi: "Permintaan Informasi" },
  en: { pengaduan: "Complaint", aspirasi: "Aspiration", permintaan_informasi: "Information Request" },
};

/** LAPOR!'s own classification ids. */
export const CLASSIFICATION_ID = { pengaduan: 1, permintaan_informasi: 2, aspirasi: 3 };

const starts = (text) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`, "i");

export class ReportForm {
  /** @param host the element the widget is mounted in (a Playwright Locator) */
  constructor(host) {
    this.host = host;
    this.page = host.page();
  }

  field(label) {
    return this.host.getByLabel(starts(label));
  }

  kind(kind, lang = "id") {
    return this.host.getByRole("radio", { name: starts(KIND_LABEL[lang][kind]) });
  }

  get title() { return this.field("Judul Laporan"); }
  get content() { return this.field("Isi Laporan"); }
  get incidentDate() { return this.field("Tanggal Kejadian"); }
  get province() { return this.field("Provinsi"); }
  get regency() { return this.field("Kabupaten/Kota"); }
  get district() { return this.field("Kecamatan"); }
  get attachments() { return this.field("Lampiran"); }
  get name() { return this.field("Nama Lengkap"); }
  get nik() { return this.field("NIK"); }
  get phone() { return this.field("Nomor Telepon"); }
  get email() { return this.field("Email"); }
  get anonymous() { return this.host.getByRole("checkbox", { name: starts("Anonim") }); }
  get secret() { return this.host.getByRole("checkbox", { name: starts("Rahasia") }); }
  get submitButton() { return this.host.getByRole("button", { name: starts("Kirim Laporan") }); }

  /** The error summary: the alert at the top that lists every problem as a link. */
  get errorSummary() {
    return this.host.getByRole("alert").filter({ has: this.host.page().getByRole("link") }).first();
  }

  /** The form's pre-rendered first paint, shown by the loader until the Wasm takes it over. */
  get prerendered() {
    return this.host.locator("[data-lapor-prerendered]");
  }

  /** Waits until the Wasm's own form is on screen (the pre-rendered one has been taken over). */
  async ready() {
    await this.submitButton.waitFor({ state: "visible", timeout: 20_000 });
    await this.prerendered.waitFor({ state: "detached", timeout: 20_000 });
    return this;
  }

  async chooseKind(kind, lang = "id") {
    await this.kind(kind, lang).check();
  }

  /** Picks a place by the names shown in the three cascading selects. */
  async chooseLocation({ province, regency, district }) {
    await this.province.selectOption({ label: province });
    if (regency) await this.regency.selectOption({ label: regency });
    if (district) await this.district.selectOption({ label: district });
  }

  /**
   * Fills a whole report. `report` = { kind, title, content, incidentDate?, location,
   * reporter: {name, nik, phone, email?}, anonymous?, secret?, files? }.
   */
  async fill(report) {
    await this.chooseKind(report.kind);
    await this.title.fill(report.title);
    await this.content.fill(report.content);
    if (report.incidentDate) await this.incidentDate.fill(report.incidentDate);
    await this.chooseLocation(report.location);
    if (report.files) await this.attachments.setInputFiles(report.files);
    await this.name.fill(report.reporter.name);
    await this.nik.fill(report.reporter.nik);
    await this.phone.fill(report.reporter.phone);
    if (report.reporter.email) await this.email.fill(report.reporter.email);
    if (report.anonymous) await this.anonymous.check();
    if (report.secret) await this.secret.check();
  }

  async submit() {
    await this.submitButton.click();
  }

  /** Messages of the error summary's links, in order. */
  async summaryLinks() {
    return this.errorSummary.getByRole("link").allInnerTexts();
  }

  /** True when `locator`'s element holds the focus (inside the shadow root, or contains it) within 2 s. */
  static async hasFocus(locator) {
    // Yew runs effects (a focus move among them) a task after the render that showed the
    // element once rendering passes its time slice, as on a loaded machine: wait, bounded.
    const now = () => locator.evaluate((el) => {
      const active = el.getRootNode().activeElement;
      return active === el || el.contains(active);
    });
    return eventually("the focus", now, { timeout: 2_000, interval: 50 }).then(() => true, () => false);
  }

  /** The texts an input's aria-describedby points at (its hint and its error message). */
  static describedBy(locator) {
    return locator.evaluate((el) =>
      (el.getAttribute("aria-describedby") || "")
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => el.getRootNode().getElementById(id))
        .map((d) => (d ? d.textContent.trim() : null))
    );
  }
}
