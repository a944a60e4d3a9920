//! FOCUS accounts of other clouds in the TUI (issue 11 item 3): a billing group holding an
//! Azure subscription (a GUID, not a 12-digit id) is created from the group form and priced.

mod common;

use common::tui::{open, press, screen_at};
use common::{bin, workspace};

const AZURE_PAYER: &str =
    "a7f4c2d1-5b3e-4c9a-8e21-0f6d9b7c3a11:2b8e9d70-6c1f-4a3e-9d52-7e4f1a0c8b66_2019-05-31";
const AZURE_SUB: &str = "3f1c2b9a-8d7e-4c6b-a5f4-0e1d2c3b4a59";

const MULTI_HEADER: &str = "ProviderName,PublisherName,InvoiceIssuerName,BillingAccountId,\
SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargeCategory,ChargeClass,\
ChargeFrequency,CommitmentDiscountId,CommitmentDiscountType,CommitmentDiscountStatus,BilledCost,\
ListCost,EffectiveCost,BillingCurrency,ServiceName,x_ServiceCode,x_UsageType,x_Operation,\
RegionId,ConsumedQuantity,Tags";

/// AWS, Azure and Google Cloud rows in one file (`NULL` cells as the FOCUS sandbox writes
/// them, `8.85E-8`).
fn multi_rows() -> Vec<String> {
    let aws =
        "AWS,\"Amazon Web Services, Inc.\",\"Amazon Web Services, Inc.\",111111111111,222222222222";
    let az = format!("Microsoft,Microsoft,Microsoft,{AZURE_PAYER},{AZURE_SUB}");
    let gcp = "Google Cloud,Google,Google,012345-6789AB-CDEF01,acme-analytics-prod";
    let p = "2026-09-01T00:00:00Z,2026-10-01T00:00:00Z";
    vec![
        format!(
            "{aws},{p},2026-09-02T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,10.00,12.00,10.00,USD,Amazon Elastic Compute Cloud,AmazonEC2,BoxUsage:m5.large,RunInstances,us-east-1,100,\"{{\"\"user:team\"\":\"\"web\"\"}}\""
        ),
        format!(
            "{aws},{p},2026-09-02T00:00:00Z,Usage,NULL,Usage-Based,arn:aws:savingsplans::111111111111:savingsplan/abc,Savings Plan,Used,0,5.00,3.60,USD,Amazon Elastic Compute Cloud,AmazonEC2,BoxUsage:m5.large,RunInstances,us-east-1,50,NULL"
        ),
        format!(
            "{aws},{p},2026-09-01T00:00:00Z,Tax,NULL,One-Time,NULL,NULL,NULL,0.80,NULL,0.80,USD,Amazon Elastic Compute Cloud,AmazonEC2,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-03T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,20.00,25.00,20.00,USD,Virtual Machines,NULL,NULL,NULL,eastus,720,\"{{\"\"team\"\":\"\"data\"\"}}\""
        ),
        format!(
            "{az},{p},2026-09-03T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,5.00,5.00,5.00,USD,Storage,NULL,NULL,NULL,eastus,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-01T00:00:00Z,Credit,NULL,One-Time,NULL,NULL,NULL,-2.00,NULL,-2.00,USD,Virtual Machines,NULL,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{az},{p},2026-09-01T00:00:00Z,Tax,NULL,One-Time,NULL,NULL,NULL,1.60,NULL,1.60,USD,Virtual Machines,NULL,NULL,NULL,NULL,NULL,NULL"
        ),
        format!(
            "{gcp},{p},2026-09-04T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,30.00,30.00,30.00,USD,Compute Engine,NULL,NULL,NULL,us-central1,8.85E-8,\"{{\"\"env\"\":\"\"prod\"\"}}\""
        ),
        format!(
            "{gcp},{p},2026-09-04T00:00:00Z,Usage,NULL,Usage-Based,NULL,NULL,NULL,8.85E-8,NULL,8.85E-8,USD,Cloud Storage,NULL,NULL,NULL,us-central1,NULL,NULL"
        ),
    ]
}

/// Imports the AWS/Azure/Google Cloud FOCUS rows and a plan with a global +10 % and a
/// VirtualMachines -20 % rule, then creates the group from the TUI's form by the
/// subscription's GUID: its pro forma is 25.50 (VMs 25 at -20 %, storage 5 at +10 %).
#[test]
fn a_group_of_an_azure_subscription_is_made_in_the_tui_and_priced() {
    let (dir, ws) = workspace();
    let data = dir.path().join("multi.csv");
    std::fs::write(
        &data,
        format!("{MULTI_HEADER}\n{}\n", multi_rows().join("\n")),
    )
    .expect("write");
    bin().arg("import").arg(&ws).arg(&data).assert().success();
    let cfg = dir.path().join("plan.toml");
    std::fs::write(
        &cfg,
        "[[pricing_plan]]\nname = \"multicloud\"\nrules = [\"everything\", \"vms\"]\n\n\
         [[pricing_rule]]\nname = \"everything\"\nscope = \"GLOBAL\"\ntype = \"MARKUP\"\npercent = 10\n\n\
         [[pricing_rule]]\nname = \"vms\"\nscope = \"SERVICE\"\nservice = \"VirtualMachines\"\n\
         type = \"DISCOUNT\"\npercent = 20\n",
    )
    .expect("write");
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg(&cfg)
        .assert()
        .success();
    let mut s = open(&ws);
    let quoted = format!("\"{AZURE_SUB}\"");
    press(
        &mut s,
        &[
            "2",
            "n",
            "\"azure\"",
            "Tab",
            "\"Azure data team\"",
            "Tab",
            &quoted,
            "Tab",
            &quoted,
        ],
    );
    press(&mut s, &["Tab"]);
    // The plan field cycles through the plans: on to "multicloud".
    for _ in 0..3 {
        if screen_at(&mut s, 140, 50).contains("‹ multicloud ›") {
            break;
        }
        press(&mut s, &["Right"]);
    }
    let text = screen_at(&mut s, 140, 50);
    assert!(text.contains("azure (new): pro forma 25.50"), "{text}");
    press(&mut s, &["Enter"]);
    assert!(s.app.form().is_none(), "{}", screen_at(&mut s, 140, 50));
    let g = s.app.data.group_index("azure").expect("the group exists");
    assert_eq!(
        s.app.data.pricing.groups[g].proforma(),
        rust_decimal::Decimal::new(2550, 2)
    );
    let text = screen_at(&mut s, 140, 50);
    assert!(text.contains("azure"), "{text}");
}
