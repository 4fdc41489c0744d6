//! A criterion-free throughput check: `cargo bench -p baomi-detect` prints MB/s of `detect` on
//! generated mixed text next to a plain `memmem` scan (roughly what ripgrep does for a literal).
#![allow(missing_docs)]

use baomi_core::Policy;
use baomi_detect::{Detector, Placement};
use std::time::Instant;

fn main() {
    let sentences = [
        "根据工作安排，各部门要进一步加强保密管理，落实保密责任。",
        "The quarterly report (see appendix) covers revenue and costs.",
        "密切关注市场变化，及时调整经营策略，密码应定期更换。",
        "会议强调，要严格执行保守国家秘密法的各项规定。",
        "(1) 第一项内容；(2) 第二项内容；(3) 第三项内容。",
        "产品评分：★★★★☆，用户反馈良好。",
        "let y = a * b; // multiply\t制表符\t分隔",
        "他说这不是什么秘密，大家都知道商业秘密的重要性。",
    ];
    let mut text = String::with_capacity(65 << 20);
    let mut i = 0usize;
    while text.len() < 64 << 20 {
        text.push_str(sentences[i % sentences.len()]);
        if i.is_multiple_of(3) {
            text.push('\n');
        }
        i = i.wrapping_mul(31).wrapping_add(7) % 1_000_003;
    }
    let mb = text.len() as f64 / (1 << 20) as f64;

    let t = Instant::now();
    let finder = memchr::memmem::Finder::new("涉密人员名单");
    let n = finder.find_iter(text.as_bytes()).count();
    let base = t.elapsed().as_secs_f64();
    println!("memmem baseline: {:8.0} MB/s ({n} hits)", mb / base);

    let policy = Policy::default_policy();
    let mut bare = policy.clone();
    bare.keywords.clear();
    let mut out = Vec::new();
    for (name, policy, placement) in [
        ("default", &policy, Placement::Document),
        ("default", &policy, Placement::Aside),
        ("no keywords", &bare, Placement::Document),
    ] {
        let detector = Detector::new(policy).expect("policy compiles");
        let t = Instant::now();
        detector.detect(&text, placement, &mut out);
        let dt = t.elapsed().as_secs_f64();
        println!(
            "detect {name} {placement:?}: {:8.0} MB/s ({} matches, {:.2}× baseline time)",
            mb / dt,
            out.len(),
            dt / base
        );
        out.clear();
    }
}
