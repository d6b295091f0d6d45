//! Writes a benchmark site: N articles and N/10 episodes of plausible Chinese legal-publicity
//! text with front matter, topics, months, images and episode media. The same seed gives
//! the same site, byte for byte. Like a county site, every item has pictures of its own: a
//! photo for each article (two for every tenth) and a poster for each episode, 12,000 media
//! files at 10,000 articles. The pictures are 1×1 PNGs, or with `photos` real-size JPEGs:
//! 1,280 × 960 photos and 1,280 × 720 posters, the size WeChat passes photos on at; or with
//! `flat` JPEGs of those sizes in one colour each, quick to make and to resize: a rebuild's
//! cost lies in the number of files made of the pictures, not in their pixels, so these
//! measure rebuilds at 10,000 articles without the half hour real photos first take.
//!
//! ```text
//! cargo run --release --example corpus -- OUT_DIR [ARTICLES] [SEED] [photos|flat]
//! ```

#[path = "photo.rs"]
mod photo;

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// xorshift64*: small, deterministic, good enough to vary text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TOPICS: &[(&str, &str)] = &[
    ("电信诈骗", "dianxin-zhapian"),
    ("根治欠薪", "genzhi-qianxin"),
    ("未成年人保护", "weichengnianren-baohu"),
    ("校园欺凌", "xiaoyuan-qiling"),
    ("民法典", "minfadian"),
    ("禁毒", "jindu"),
    ("宪法", "xianfa"),
    ("个人信息保护", "geren-xinxi-baohu"),
    ("消费者权益", "xiaofeizhe-quanyi"),
    ("反家庭暴力", "fan-jiating-baoli"),
    ("安全生产", "anquan-shengchan"),
    ("婚姻家庭", "hunyin-jiating"),
];

const LAWS: &[(&str, &str)] = &[
    ("宪法", "中华人民共和国宪法"),
    ("民法典", "中华人民共和国民法典"),
    ("刑法", "中华人民共和国刑法"),
    ("反电信网络诈骗法", "中华人民共和国反电信网络诈骗法"),
    ("未成年人保护法", "中华人民共和国未成年人保护法"),
    ("禁毒法", "中华人民共和国禁毒法"),
    ("劳动合同法", "中华人民共和国劳动合同法"),
    ("个人信息保护法", "中华人民共和国个人信息保护法"),
    ("反家庭暴力法", "中华人民共和国反家庭暴力法"),
    ("保障农民工工资支付条例", "保障农民工工资支付条例"),
];

const PLACES: &[&str] = &[
    "青石镇",
    "柳塘乡",
    "杏花镇",
    "湖滨街道",
    "白沙村",
    "东岭村",
    "南坪镇",
    "西河乡",
    "北山社区",
    "桃源村",
];
const SUBJECTS: &[&str] = &[
    "村民",
    "务工人员",
    "退休教师",
    "大学生",
    "个体商户",
    "家长",
    "网约车司机",
    "外卖骑手",
    "老人",
    "返乡青年",
];
const ACTIONS: &[&str] = &[
    "接到自称客服的电话",
    "在网上找兼职",
    "被拖欠了三个月工资",
    "在学校遭遇同学欺负",
    "收到中奖短信",
    "把银行卡借给朋友",
    "签订了一份租房合同",
    "在直播间购买保健品",
    "遭受家庭暴力",
    "误点了陌生链接",
];
const LAW_POINTS: &[&str] = &[
    "任何单位和个人不得非法买卖、出租、出借电话卡和银行账户",
    "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬",
    "学校应当建立学生欺凌防控工作制度，对教职员工、学生等开展防治学生欺凌的教育和培训",
    "自然人的个人信息受法律保护，任何组织或者个人需要获取他人个人信息的，应当依法取得并确保信息安全",
    "禁止非法种植毒品原植物，禁止走私、贩卖、运输、制造、持有、吸食、注射毒品",
    "消费者享有知悉其购买、使用的商品或者接受的服务的真实情况的权利",
    "居住权不得转让、继承，设立居住权的住宅不得出租，但是当事人另有约定的除外",
    "国家禁止任何形式的家庭暴力，家庭成员之间应当互相帮助、互相关爱、和睦相处",
];
const ADVICE: &[&str] = &[
    "遇到可疑情况要先停一停、问一问，必要时拨打110报警",
    "保存好聊天记录、转账凭证和合同等证据",
    "可以拨打公共法律服务热线12348咨询，也可以到乡镇司法所申请法律援助",
    "不要轻信陌生人的承诺，更不要向所谓的安全账户转账",
    "家长要多和孩子沟通，及时发现孩子情绪和行为上的变化",
    "签合同前看清条款，不明白的地方请专业人员把关",
    "身份证、银行卡、手机验证码都要妥善保管，不要交给他人使用",
];
const HEADINGS: &[&str] = &[
    "案情回顾",
    "法律怎么说",
    "律师提醒",
    "如何防范",
    "维权途径",
    "以案释法",
    "常见套路",
    "第十二条解读",
];
const OPENERS: &[&str] = &[
    "近日，",
    "今年以来，",
    "据了解，",
    "记者从县司法局获悉，",
    "日前，",
    "为进一步提高群众法治意识，",
];

fn sentence(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!(
            "{}{}的{}{}，险些造成损失。",
            rng.pick(OPENERS),
            rng.pick(PLACES),
            rng.pick(SUBJECTS),
            rng.pick(ACTIONS)
        ),
        1 => {
            let (law, _) = LAWS[rng.below(LAWS.len())];
            format!("根据《{law}》的规定，{}。", rng.pick(LAW_POINTS))
        }
        2 => format!("司法所工作人员提醒，{}。", rng.pick(ADVICE)),
        3 => format!(
            "{}组织开展法治宣传活动，向{}发放宣传资料{}份，解答法律咨询{}人次。",
            rng.pick(PLACES),
            rng.pick(SUBJECTS),
            100 + rng.below(900),
            10 + rng.below(200)
        ),
        _ => format!("{}，{}。", rng.pick(LAW_POINTS), rng.pick(ADVICE)),
    }
}

fn paragraph(rng: &mut Rng) -> String {
    (0..3 + rng.below(3)).map(|_| sentence(rng)).collect()
}

fn date(rng: &mut Rng, i: usize, n: usize) -> (u32, u32, u32) {
    // Spread over ten years, in order, with a little noise.
    let day_index = (i * 3650 / n.max(1)) as u32 + rng.below(3) as u32;
    let year = 2016 + day_index / 365;
    let day_of_year = day_index % 365;
    let month = (day_of_year / 31 + 1).min(12);
    let day = day_of_year % 28 + 1;
    (year.min(2025), month, day)
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xCF, 0xC0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xDD, 0x8D, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn write(path: &Path, text: impl AsRef<[u8]>) {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).expect("create folder");
    }
    fs::write(path, text).expect("write file");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("用法：cargo run --release --example corpus -- 输出文件夹 [文章数] [种子]");
        std::process::exit(2);
    };
    let articles: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1);
    let flat = args.get(4).is_some_and(|a| a == "flat");
    let photos = flat || args.get(4).is_some_and(|a| a == "photos");
    // The pictures' extension and bytes: written after the text, in parallel.
    let ext = if photos { "jpg" } else { "png" };
    let mut pictures: Vec<(std::path::PathBuf, (u16, u16))> = Vec::new();
    let episodes = articles / 10;
    let out = Path::new(out);
    if out.exists() {
        fs::remove_dir_all(out).expect("clear the output folder");
    }
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    let mut site = String::from(
        "title: \"基准测试县普法网\"\ndescription: \"性能测试用的生成站点\"\nbase_url: \"https://bench.example.gov.cn/\"\npaginate: 20\norganization:\n  name: \"基准测试县司法局\"\n  contact: \"0000-0000000\"\ntopics:\n",
    );
    for (name, slug) in TOPICS {
        let _ = writeln!(site, "  - name: {name}\n    slug: {slug}");
    }
    site.push_str("laws:\n");
    for (name, full) in LAWS {
        let _ = writeln!(
            site,
            "  - name: {name}\n    full_name: {full}\n    url: \"https://flk.npc.gov.cn/\""
        );
    }
    // The generated items are dated 2016–2025: on a later day every column would be stale,
    // and a site with five stale columns does not build.
    site.push_str("lint:\n  stale_days: 0\n");
    write(&out.join("site.yaml"), site);

    let content = out.join("content");
    write(&content.join("media/ep.mp4"), b"tiny video placeholder\n");
    write(
        &content.join("media/ep.vtt"),
        "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n字幕\n",
    );
    for year in 2016..=2025 {
        for month in 1..=12 {
            let (topic, _) = TOPICS[(year as usize * 12 + month) % TOPICS.len()];
            write(
                &content.join(format!("months/{year}-{month:02}.md")),
                format!(
                    "---\ntheme: {topic}宣传月\nlead: 县司法局\ntopics: [{topic}]\n---\n\n{}\n",
                    paragraph(&mut rng)
                ),
            );
        }
    }
    let series = ["普法小剧场", "见事说法", "法治课堂"];
    for (i, name) in series.iter().enumerate() {
        write(
            &content.join(format!("series/s{i}.md")),
            format!("---\ntitle: {name}\n---\n\n{}\n", paragraph(&mut rng)),
        );
    }

    for i in 0..articles {
        let (y, m, d) = date(&mut rng, i, articles);
        let topic_a = TOPICS[rng.below(TOPICS.len())].0;
        let topic_b = TOPICS[rng.below(TOPICS.len())].0;
        let topics = if topic_a == topic_b {
            format!("[{topic_a}]")
        } else {
            format!("[{topic_a}, {topic_b}]")
        };
        let title = format!(
            "{}{}{}：{}",
            rng.pick(PLACES),
            rng.pick(SUBJECTS),
            rng.pick(ACTIONS),
            rng.pick(HEADINGS)
        );
        let mut body = String::new();
        body.push_str(&paragraph(&mut rng));
        body.push_str("\n\n");
        let _ = writeln!(
            body,
            "![{}宣传活动现场](../../images/{y}/a{i:05}.{ext})\n",
            rng.pick(PLACES)
        );
        pictures.push((
            content.join(format!("images/{y}/a{i:05}.{ext}")),
            (1280, 960),
        ));
        if i % 10 == 0 {
            let _ = writeln!(
                body,
                "![现场发放的宣传资料](../../images/{y}/a{i:05}-2.{ext})\n"
            );
            pictures.push((
                content.join(format!("images/{y}/a{i:05}-2.{ext}")),
                (1280, 960),
            ));
        }
        for _ in 0..3 + rng.below(3) {
            let _ = writeln!(body, "## {}\n", rng.pick(HEADINGS));
            for _ in 0..1 + rng.below(3) {
                body.push_str(&paragraph(&mut rng));
                body.push_str("\n\n");
            }
        }
        write(
            &content.join(format!("articles/{y}/a{i:05}.md")),
            format!(
                "---\ntitle: \"{title}\"\ndate: {y}-{m:02}-{d:02}\ntopics: {topics}\nauthor: 县司法局\nsource: 基准测试县司法局\n---\n\n{body}"
            ),
        );
    }

    for i in 0..episodes {
        let (y, m, d) = date(&mut rng, i, episodes);
        pictures.push((
            content.join(format!("images/posters/e{i:04}.{ext}")),
            (1280, 720),
        ));
        let media = if i % 3 == 0 {
            "video: ../media/ep.mp4\nsubtitles: ../media/ep.vtt".to_string()
        } else {
            format!("embed: bilibili:BV1{:09}", i)
        };
        write(
            &content.join(format!("episodes/e{i:04}.md")),
            format!(
                "---\ntitle: \"第{}集 {}\"\ndate: {y}-{m:02}-{d:02}\nseries: {}\nepisode: {}\n{media}\nposter: ../images/posters/e{i:04}.{ext}\nduration: \"0{}:{:02}\"\ntopics: [{}]\n---\n\n{}\n",
                i / 3 + 1,
                rng.pick(ACTIONS),
                series[i % 3],
                i / 3 + 1,
                3 + rng.below(3),
                rng.below(60),
                TOPICS[rng.below(TOPICS.len())].0,
                paragraph(&mut rng)
            ),
        );
    }
    {
        use rayon::prelude::*;
        pictures
            .par_iter()
            .enumerate()
            .for_each(|(i, (path, size))| {
                if flat {
                    write(path, photo::flat(seed ^ i as u64, *size));
                } else if photos {
                    write(path, photo::photo(seed ^ i as u64, *size, 85, None));
                } else {
                    write(path, PNG);
                }
            });
    }
    eprintln!(
        "已生成 {articles} 篇文章、{episodes} 集视频：{}",
        out.display()
    );
}
