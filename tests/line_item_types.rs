//! Issue 9: line item types through the whole path (CUR -> workspace -> reports): an unknown
//! type survives as written and is listed; the known ones keep their SPEC 4.2 treatment.

mod common;

#[test]
fn an_unknown_type_survives_the_workspace_and_is_listed() {
    let (_d, ws) = common::workspace();
    let dir = tempfile::tempdir().unwrap();
    let cur = dir.path().join("cur.csv");
    let p = "999900001111";
    let start = "2026-10-01T00:00:00Z";
    std::fs::write(
        &cur,
        common::cur_csv(&[
            (p, "111100002222", start, "Usage", "AmazonS3", "10.00"),
            (
                p,
                "111100002222",
                start,
                "MysteryCharge",
                "AmazonS3",
                "2.50",
            ),
            (
                p,
                "111100002222",
                start,
                "NewLoyaltyDiscount",
                "AmazonS3",
                "-1.00",
            ),
            (p, "111100002222", start, "Tax", "AmazonS3", "0.70"),
        ]),
    )
    .unwrap();
    common::bin()
        .arg("import")
        .arg(&ws)
        .arg(&cur)
        .assert()
        .success();
    let toml = dir.path().join("config.toml");
    std::fs::write(
        &toml,
        "[[billing_group]]\nname = \"g\"\nprimary_account = \"111100002222\"\naccounts = [\"111100002222\"]\nplan = \"BasicPricingPlan\"\n",
    )
    .unwrap();
    common::bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&toml)
        .args(["--from-period", "2026-10"])
        .assert()
        .success();
    let run = |args: &[&str]| {
        let out = common::bin()
            .arg("report")
            .arg(&ws)
            .args(["--period", "2026-10"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let list = run(&[]);
    // Usage 10.00 (no public price: unblended stands in) + the unknown type at unblended 2.50;
    // the discount (ends in "Discount") and the tax are left out of pro forma.
    assert!(
        list.contains(
            "note: unknown line item type 'MysteryCharge': 1 rows, 2.50 kept at unblended cost"
        ),
        "{list}"
    );
    assert!(!list.contains("'NewLoyaltyDiscount'"), "{list}");
    let csv = run(&[
        "--group",
        "g",
        "--group-by",
        "LINE_ITEM_TYPE",
        "--format",
        "csv",
    ]);
    // Arn,Name,LINE_ITEM_TYPE,AWSCost,ProformaCost,Margin,MarginPercentage,Tax,Currency
    let row = |t: &str| {
        csv.lines()
            .find(|l| l.split(',').nth(2) == Some(t))
            .unwrap_or_else(|| panic!("{t} in {csv}"))
            .split(',')
            .skip(3)
            .take(2)
            .collect::<Vec<_>>()
            .join(",")
    };
    assert_eq!(row("MysteryCharge"), "2.50,2.50");
    assert_eq!(row("NewLoyaltyDiscount"), "-1.00,0.00");
    assert_eq!(row("Usage"), "10.00,10.00");
    assert_eq!(row("Tax"), "0.00,0.00");
}
