//! An HTML statement prints cleanly to PDF (issue 12 item 4): headless Chromium prints it and
//! the PDF's text (pdftotext) holds every line's label and amount, the subtotal, the tax and
//! the total. Skips when `chromium` or `pdftotext` is absent, unless
//! `PROFORMA_REQUIRE_CHROMIUM=1` (as `.ci/run` sets it), which makes their absence a failure.

mod common;

use common::bin;
use std::path::Path;
use std::process::Command;

/// Whether `cmd` can be started (pdftotext's `-v` exits non-zero, so only the start counts).
fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().is_ok()
}

fn tools_or_skip() -> bool {
    let present = have("chromium", "--version") && have("pdftotext", "-v");
    if !present {
        assert!(
            std::env::var("PROFORMA_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "PROFORMA_REQUIRE_CHROMIUM=1 but chromium or pdftotext is missing (Debian: apt-get install chromium poppler-utils)"
        );
        eprintln!("skipping: chromium or pdftotext is absent");
    }
    present
}

/// Prints `html` to `pdf` with headless Chromium and returns the PDF's text as laid out
/// (`pdftotext -layout`: one table row per line), each line's whitespace collapsed.
fn print_to_pdf_lines(html: &Path, pdf: &Path, profile: &Path) -> Vec<String> {
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    assert!(
        pdf.exists(),
        "chromium wrote no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(text.status.success());
    String::from_utf8_lossy(&text.stdout)
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect()
}

fn grouped(amount: &str) -> String {
    let (sign, digits) = match amount.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", amount),
    };
    let (int, frac) = digits.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}.{frac}")
}

#[test]
fn html_statements_print_to_pdf_with_every_line_and_the_total() {
    if !tools_or_skip() {
        return;
    }
    let (dir, ws) = common::tui::demo_copy();
    // retail: many services, two fees, eight accounts; media: a credit.
    for group in ["retail", "media"] {
        let html = dir.path().join(format!("{group}.html"));
        let csv = dir.path().join(format!("{group}.csv"));
        for (out, format) in [(&html, "html"), (&csv, "csv")] {
            bin()
                .arg("export")
                .arg(&ws)
                .args([
                    "--kind",
                    "statement",
                    "--period",
                    "2026-10",
                    "--group",
                    group,
                ])
                .args(["--with-tax", "--format", format, "--out"])
                .arg(out)
                .assert()
                .success();
        }
        // No external resource: the file prints the same offline.
        let text = std::fs::read_to_string(&html).unwrap();
        for external in ["http://", "https://", "<link", "<script", "<img", "@import"] {
            assert!(!text.contains(external), "{group}: {external}");
        }
        assert!(text.contains("@media print") && text.contains("size: A4"));
        let pdf = dir.path().join(format!("{group}.pdf"));
        let profile = dir.path().join(format!("chromium-{group}"));
        let lines = print_to_pdf_lines(&html, &pdf, &profile);
        let all = lines.join("\n");
        // Every line of the statement (from its CSV twin): a row of the PDF with its label
        // and ending in its amount; the subtotal, tax and total too.
        let mut r = csv::Reader::from_path(&csv).unwrap();
        let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let col = |name: &str| head.iter().position(|h| h == name).unwrap();
        let (section, desc, account, amount) = (
            col("Section"),
            col("Description"),
            col("AccountId"),
            col("Amount"),
        );
        let mut checked = 0;
        for rec in r.records() {
            let rec = rec.unwrap();
            let label = match &rec[section] {
                "Account" => rec[account].to_string(),
                "Total" => "Total (USD)".to_string(),
                _ => rec[desc].to_string(),
            };
            let label = label.split_whitespace().collect::<Vec<_>>().join(" ");
            let amount = grouped(&rec[amount]);
            assert!(
                lines
                    .iter()
                    .any(|l| l.starts_with(&label) && l.ends_with(&format!(" {amount}"))),
                "{group}: no row {label:?} ... {amount} in the PDF:\n{all}"
            );
            checked += 1;
        }
        assert!(checked > 10, "{group}: {checked} lines");
        for word in [
            "Subtotal",
            "Tax",
            "Total (USD)",
            "DRAFT – period not closed",
        ] {
            assert!(all.contains(word), "{group}: {word}:\n{all}");
        }
        // The print stylesheet's page: A4 (pdfinfo is in poppler-utils beside pdftotext).
        let info = Command::new("pdfinfo")
            .arg(&pdf)
            .output()
            .expect("pdfinfo runs");
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("(A4)"), "{group}: {info}");
        let _ = std::fs::remove_dir_all(&profile);
    }
}
