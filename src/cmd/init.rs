//! `pufa init`: a new, minimal site that builds at once — site.yaml with every field
//! explained, and one example of each kind of content, dated this month.

use crate::content::{Date, date::month_chinese};
use crate::diagnostic::Diagnostic;
use std::path::{Path, PathBuf};

const SITE_YAML: &str = r#"# 网站配置。以 # 开头的行是说明，不起作用。
# 网站名称，显示在每个页面的顶部和浏览器标签上（必填）
title: "某某县普法网"
# 一句话介绍，用于搜索引擎和微信分享
description: "某某县司法局法治宣传教育"
# 网站的正式网址。写上之后才会生成订阅（feed.xml）、网站地图和二维码
# base_url: "https://pufa.example.gov.cn/"
# 网站语言
language: zh-CN
# 主题：default（默认）或 kiosk（村级服务站触摸屏），也可以是 themes/ 下自己的主题
theme: default
# 列表每页显示多少条
paginate: 20
# 页脚必须显示的单位信息（《政府网站发展指引》）
organization:
  # 主办单位
  name: "某某县司法局"
  # 联系方式
  contact: "0000-0000000"
  # 网站标识码
  # site_code: "0000000000"
  # ICP 备案号（自动链接到工信部备案网站）
  # icp: "某ICP备00000000号-1"
  # 公安备案号（自动链接到公安备案查询页）
  # police: "某公网安备00000000000000号"
# 专题：文章和视频只能使用这里列出的专题。slug 是网址，不写时自动用拼音
topics:
  - name: 电信诈骗
    slug: dianxin-zhapian
  - 民法典
# 网站引用的法律法规。正文中用《》写出名称，就会自动关联到这部法律的页面
laws:
  - name: 反电信网络诈骗法
    full_name: 中华人民共和国反电信网络诈骗法
    # 国家法律法规数据库中这部法律的网址
    url: "https://flk.npc.gov.cn/"
  - name: 民法典
    full_name: 中华人民共和国民法典
    url: "https://flk.npc.gov.cn/"
# 导航：不写时自动列出首页、普法文章、普法视频、各个栏目（content 里有 _index.md 的文件夹）等。
# 要自己排顺序、加上级网站的链接时，去掉下面几行前面的 #
# menu:
#   - 首页
#   - 普法文章
#   - { name: 某某县人民政府, url: "https://www.example.gov.cn/" }
# 本站常见的错别字：左边是错误写法，右边是正确写法。pufa check 和 pufa build 会找出来
lint:
  words: { "中华人民共合国": "中华人民共和国" }
# 交给模板的其他数据
# extra:
#   hotline: "12348"
"#;

/// Writes the new site into `dir`, which must not exist or be empty. Returns the files
/// written, relative to `dir`.
pub fn run(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Diagnostic::error(
                "init/not-empty",
                format!(
                    "{} 已经存在而且不是空文件夹，pufa 不会往里面写东西",
                    dir.display()
                ),
            )
            .with_suggestion("换一个新的文件夹名"));
        }
    }
    let today = Date::today();
    let month = today.month_key();
    let date = today.iso();
    let files = [
        ("site.yaml".to_string(), SITE_YAML.to_string()),
        (
            "content/_index.md".to_string(),
            "---\ntitle: 首页\n---\n\n欢迎访问！这段文字显示在首页上，可以在 content/_index.md 中修改。\n".to_string(),
        ),
        (
            "content/articles/huan-ying-shi-yong.md".to_string(),
            format!(
                "---\ntitle: 警惕刷单返利骗局\ndate: {date}\ntopics: [电信诈骗]\nauthor: 某某县司法局\nsource: 某某县司法局\n---\n\n凡是刷单，都是诈骗。依据《反电信网络诈骗法》，为诈骗活动提供帮助同样违法。\n\n## 记住三句话\n\n1. 凡是刷单，都是诈骗；\n2. 凡是要你先垫钱的兼职，都不要碰；\n3. 被骗后第一时间拨打 110。\n"
            ),
        ),
        (
            "content/episodes/di-yi-ji.md".to_string(),
            format!(
                "---\ntitle: 第1集 “兼职”陷阱\ndate: {date}\nseries: 普法小剧场\nepisode: 1\nembed: bilibili:BV1xx411c7mD\nduration: \"03:40\"\ntopics: [电信诈骗]\n---\n\n视频简介和文字稿。把 embed 换成自己的视频编号，或用 video 指向本地视频文件。\n"
            ),
        ),
        (
            "content/series/pu-fa-xiao-ju-chang.md".to_string(),
            "---\ntitle: 普法小剧场\n---\n\n每集三到五分钟的普法短剧。\n".to_string(),
        ),
        (
            format!("content/months/{month}.md"),
            format!(
                "---\ntitle: {} 反诈宣传月\ntheme: 全民反诈 守好钱袋子\nlead: 某某县公安局、某某县司法局\ntopics: [电信诈骗]\n---\n\n本月的宣传活动安排。\n",
                month_chinese(&month)
            ),
        ),
        (
            "content/pages/guanyu.md".to_string(),
            "---\ntitle: 关于我们\nslug: guanyu\n---\n\n某某县普法网由某某县司法局主办。\n".to_string(),
        ),
    ];
    let mut written = Vec::new();
    for (path, text) in files {
        let full = dir.join(&path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| crate::fs::error("io/write", "创建文件夹", parent, &e))?;
        }
        std::fs::write(&full, text).map_err(|e| crate::fs::error("io/write", "写入", &full, &e))?;
        written.push(PathBuf::from(path));
    }
    Ok(written)
}
