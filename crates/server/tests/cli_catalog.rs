//! `wacart catalog check` on the committed feed fixtures.

use std::process::Command;

fn check(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_wacart"))
        .arg("catalog")
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    format!(
        "{}/../catalog/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn rejected_rows_one_line_each_then_the_summary() {
    let (code, out, _) = check(&[&fixture("feed.csv")]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 11);
    assert!(lines[0].starts_with("line 19: price: "), "{}", lines[0]);
    assert_eq!(lines[10], "310 products loaded, 10 rows rejected");
}

#[test]
fn json_output() {
    let (code, out, _) = check(&["--json", &fixture("feed.tsv")]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rejected"].as_array().unwrap().len(), 2);
    assert!(v["rejected"][0]["line"].is_u64() && v["rejected"][0]["column"].is_string());
}

#[test]
fn a_clean_feed_exits_0_and_a_useless_one_2() {
    let dir = std::env::temp_dir().join(format!("wacart-cli-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.csv");
    std::fs::write(&good, "id,title,description,availability,condition,price,link,image_link\n\
        sku-1,Apples,\"Crisp, sweet\",in stock,new,3.49 USD,https://shop.example/a,https://shop.example/a.jpg\n").unwrap();
    assert_eq!(
        check(&[good.to_str().unwrap()]),
        (
            Some(0),
            "1 products loaded, 0 rows rejected\n".to_owned(),
            String::new()
        )
    );
    let useless = dir.join("useless.csv");
    std::fs::write(&useless, "a,b\n1,2\n").unwrap();
    let (code, _, err) = check(&[useless.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("header"), "{err}");
    assert_eq!(check(&["/nonexistent/feed.csv"]).0, Some(2));
}
