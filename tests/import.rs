//! `pufa import`: documents made by LibreOffice and python-docx (tests/fixtures/import/make.py)
//! and text files in GBK and UTF-16 become draft articles that build and show what the
//! document showed; hostile and random documents never crash it or produce a page that does
//! not build.

mod common;

use common::*;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

fn documents() -> PathBuf {
    repo_root().join("tests/fixtures/import/documents")
}

fn import(site: &Path, args: &[&str]) -> Output {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    pufa(site, &all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// What `pufa` printed, with the fixture folder and the binary's path made stable.
fn shown(out: &Output) -> String {
    let text = format!("{}{}", stdout(out), stderr(out));
    text.replace(&documents().display().to_string(), "[documents]")
        .replace(env!("CARGO_BIN_EXE_pufa"), "pufa")
}

/// Builds with drafts (imports are drafts) and returns the `<main>` of `page`.
fn built_main(site: &Path, page: &str) -> String {
    build_ok(site, &["--drafts"]);
    main_of(&read(&site.join("public").join(page).join("index.html")))
}

#[test]
fn a_libreoffice_document_keeps_headings_emphasis_lists_table_footnote_link_and_picture() {
    let site = fixture("import/site");
    let document = documents().join("libreoffice.docx");
    let out = import(site.path(), &[document.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    insta::assert_snapshot!("libreoffice_messages", shown(&out));
    let file = site
        .path()
        .join("content/articles/jing-ti-shua-dan-fan-li-pian-ju.md");
    insta::assert_snapshot!("libreoffice_markdown", read(&file));
    let picture = site
        .path()
        .join("content/articles/jing-ti-shua-dan-fan-li-pian-ju/1.png");
    assert!(fs::read(&picture).unwrap().starts_with(b"\x89PNG"));

    let main = built_main(site.path(), "articles/jing-ti-shua-dan-fan-li-pian-ju");
    for wanted in [
        "<h1>警惕“刷单返利”骗局</h1>",
        "<h2 id=\"常见手法\">常见手法</h2>",
        "<strong>“刷单返利”</strong>",
        "<em>电信网络诈骗</em>",
        "<br />\n请广大群众提高警惕。",
        "<li>先给小额返利\n<ul>\n<li>第一单返还本金和佣金</li>",
        "<ol>\n<li>立即停止转账</li>",
        "<p>第一条　任何单位和个人",
        "<th>手法</th><th>特点</th><th>对策</th>",
        "<td>退款 | 理赔</td>",
        "<a href=\"https://flk.npc.gov.cn/\">国家法律法规数据库</a>",
        "class=\"footnote-definition\"",
        "第三十六次会议通过。",
        "width=\"160\" height=\"80\" alt=\"司法所工作人员在集市上发放宣传资料\"",
        "<span>来源：青山镇司法所</span>",
    ] {
        assert!(main.contains(wanted), "missing {wanted:?} in\n{main}");
    }
    assert!(main.contains("<picture>"), "{main}");
}

#[test]
fn a_python_docx_document_fills_the_front_matter_and_reports_what_it_left_out() {
    let site = fixture("import/site");
    let document = documents().join("python-docx.docx");
    let out = import(site.path(), &[document.to_str().unwrap()]);
    // Warnings alone: the import went through.
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    insta::assert_snapshot!("python_docx_messages", shown(&out));
    let text = read(
        &site
            .path()
            .join("content/articles/min-fa-dian-li-de-ju-zhu-quan.md"),
    );
    // Title from the Title style, author as 来源, this month and its topics, a draft.
    assert!(
        text.starts_with(
            "---\ntitle: \"民法典里的居住权\"\ndate: 2023-09-10\nmonth: 2023-09\ntopics: [\"电信诈骗\", \"民法典\"]\n"
        ),
        "{text}"
    );
    assert!(text.contains("\nsource: \"县司法局普法科\"\n"), "{text}");
    assert!(text.contains("\ndraft: true\n"), "{text}");
    insta::assert_snapshot!("python_docx_markdown", text);
    let main = built_main(site.path(), "articles/min-fa-dian-li-de-ju-zhu-quan");
    for wanted in [
        "<strong>民法典</strong>",
        "<em>用益物权</em>",
        "<li>订立书面合同\n<ul>\n<li>合同一般包括",
        "<li>准备材料</li>",
        "<td>居住权人死亡的，居住权消灭</td>",
        "alt=\"居住权登记窗口\"",
        // The tracked insertion is kept, the deletion dropped.
        "修订后：居住权不得转让、继承。",
    ] {
        assert!(main.contains(wanted), "missing {wanted:?} in\n{main}");
    }
    assert!(!main.contains("居住权可以出租"), "{main}");
    assert!(!main.contains("文本框里的提示语"), "{main}");
}

#[test]
fn gbk_and_utf16_text_files_are_converted_and_named() {
    let mut converted = Vec::new();
    for (name, encoding) in [("gbk.txt", "GBK/GB18030"), ("utf16.txt", "UTF-16")] {
        let site = fixture("import/site");
        let document = documents().join(name);
        let out = import(site.path(), &[document.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
        assert!(
            stdout(&out).contains(&format!("已把 {encoding} 编码转换为 UTF-8")),
            "{}",
            shown(&out)
        );
        let file = site.path().join(
            "content/articles/guan-yu-kai-zhan-xian-fa-xuan-chuan-zhou-huo-dong-de-tong-zhi.md",
        );
        let text = read(&file);
        let main = built_main(
            site.path(),
            "articles/guan-yu-kai-zhan-xian-fa-xuan-chuan-zhou-huo-dong-de-tong-zhi",
        );
        // Indentation gone, U+000B a line break, `1.` kept as text.
        assert!(main.contains("<p>各村（社区）：</p>"), "{main}");
        assert!(main.contains("认真组织，<br />\n做好宣传。"), "{main}");
        assert!(main.contains("<p>1. 悬挂横幅</p>"), "{main}");
        converted.push(text);
    }
    assert_eq!(converted[0], converted[1]);
    insta::assert_snapshot!("gbk_markdown", converted[0]);
}

#[test]
fn importing_never_overwrites_and_a_refused_document_leaves_nothing() {
    let site = fixture("import/site");
    let document = documents().join("libreoffice.docx");
    let article = site
        .path()
        .join("content/articles/jing-ti-shua-dan-fan-li-pian-ju.md");
    assert_eq!(
        import(site.path(), &[document.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    fs::write(&article, "改过的稿子").unwrap();
    let again = import(site.path(), &[document.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("content/articles/jing-ti-shua-dan-fan-li-pian-ju.md")
            && stderr(&again).contains("已经存在，pufa 不会覆盖它"),
        "{}",
        shown(&again)
    );
    assert_eq!(read(&article), "改过的稿子");

    // The article gone but its picture folder still there: refused, nothing half-written.
    fs::remove_file(&article).unwrap();
    let refused = import(site.path(), &[document.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1), "{}", shown(&refused));
    assert!(
        stderr(&refused).contains("content/articles/jing-ti-shua-dan-fan-li-pian-ju"),
        "{}",
        shown(&refused)
    );
    assert!(!article.exists());
}

#[test]
fn personal_data_in_a_draft_is_reported_at_its_line_at_once() {
    let site = fixture("import/site");
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("调解案例.txt");
    fs::write(
        &draft,
        "邻里纠纷调解案例\n　　当事人王某（电话13812345678）与邻居因排水问题发生纠纷。\n",
    )
    .unwrap();
    let out = import(site.path(), &[draft.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    let file = "content/articles/lin-li-jiu-fen-tiao-jie-an-li.md";
    assert!(site.path().join(file).is_file(), "written all the same");
    let err = stderr(&out);
    assert!(err.contains("没有打码的手机号"), "{err}");
    assert!(err.contains(&format!("{file}:13:9")), "{err}");
    // The message masks the number; only the file holds it.
    assert!(!err.contains("13812345678"), "{err}");
}

#[test]
fn episodes_and_pages_go_to_their_folders() {
    let site = fixture("import/site");
    let dir = tempfile::tempdir().unwrap();
    let about = dir.path().join("关于我们.md");
    fs::write(&about, "# 关于我们\n\n　　测试县司法局负责全县普法工作。\n").unwrap();
    let out = import(site.path(), &["--kind", "page", about.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let page = read(&site.path().join("content/pages/guan-yu-wo-men.md"));
    assert_eq!(
        page,
        "---\ntitle: \"关于我们\"\nslug: guan-yu-wo-men\ndraft: true\n---\n\n测试县司法局负责全县普法工作。\n"
    );
    assert!(stdout(&out).contains("发布后的网址：/guan-yu-wo-men/"));

    let script = dir.path().join("宅基地纠纷.txt");
    fs::write(&script, "见事说法：宅基地纠纷\n字幕稿第一句。\n").unwrap();
    let out = import(
        site.path(),
        &["--kind", "episode", script.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let episode = read(
        &site
            .path()
            .join("content/episodes/jian-shi-shuo-fa-zhai-ji-di-jiu-fen.md"),
    );
    assert!(
        episode.contains("series: \"见事说法\"") && episode.ends_with("\n字幕稿第一句。\n"),
        "{episode}"
    );
    build_ok(site.path(), &["--drafts"]);
}

#[test]
fn files_it_cannot_read_are_refused_with_what_to_do() {
    let site = fixture("import/site");
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("旧稿.doc");
    fs::write(&old, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1").unwrap();
    let fake = dir.path().join("假的.docx");
    fs::write(&fake, "这不是 zip").unwrap();
    let binary = dir.path().join("乱码.txt");
    fs::write(&binary, [0x81u8, 0x20, 0xff, 0xfe, 0x81]).unwrap();
    let out = import(
        site.path(),
        &[
            old.to_str().unwrap(),
            fake.to_str().unwrap(),
            binary.to_str().unwrap(),
            dir.path().join("没有这个文件.docx").to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = shown(&out).replace(&dir.path().display().to_string(), "[dir]");
    insta::assert_snapshot!("refused_messages", text);
    let articles = site.path().join("content/articles");
    assert!(!articles.exists() || fs::read_dir(&articles).unwrap().next().is_none());
}

/// A .docx package with `body` as the document's body, `rels` as its relationships and
/// `parts` added as they are.
fn docx(body: &str, rels: &str, parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"";
    let mut all: Vec<(String, Vec<u8>)> = vec![
        (
            "[Content_Types].xml".into(),
            br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_vec(),
        ),
        (
            "_rels/.rels".into(),
            br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#.to_vec(),
        ),
        (
            "word/document.xml".into(),
            format!("<?xml version=\"1.0\"?><w:document {w}><w:body>{body}</w:body></w:document>").into_bytes(),
        ),
        (
            "word/_rels/document.xml.rels".into(),
            format!("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>").into_bytes(),
        ),
    ];
    all.extend(parts.iter().map(|(n, b)| (n.to_string(), b.to_vec())));
    for (name, bytes) in all {
        zip.start_file(name, options).unwrap();
        zip.write_all(&bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn paragraph(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// Imports the package `bytes` into a fresh site; returns the site, the output and the
/// Markdown written, if any.
fn import_bytes(bytes: &[u8]) -> (tempfile::TempDir, Output, Option<String>) {
    let site = fixture("import/site");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("稿件.docx");
    fs::write(&file, bytes).unwrap();
    let out = import(site.path(), &[file.to_str().unwrap()]);
    let written = fs::read_dir(site.path().join("content/articles"))
        .ok()
        .and_then(|mut d| d.find_map(|e| e.ok().filter(|e| e.path().is_file())))
        .map(|e| read(&e.path()));
    (site, out, written)
}

#[test]
fn hostile_documents_are_refused_or_read_safely() {
    // A zip bomb: 100 MB of spaces packed into a few hundred kilobytes.
    let mut bomb = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    bomb.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated),
    )
    .unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..100 {
        bomb.write_all(&spaces).unwrap();
    }
    let bomb = bomb.finish().unwrap().into_inner();
    let (_site, out, written) = import_bytes(&bomb);
    assert_eq!(out.status.code(), Some(1), "{}", shown(&out));
    assert!(stderr(&out).contains("解压后超过 64 MB"), "{}", shown(&out));
    assert_eq!(written, None);

    // Nesting deeper than any document: read down to a limit, no stack overflow.
    let depth = 50_000;
    let deep = format!(
        "{}{}{}",
        "<w:sdt><w:sdtContent>".repeat(depth),
        paragraph("深处"),
        "</w:sdtContent></w:sdt>".repeat(depth)
    );
    let (_site, out, written) = import_bytes(&docx(&(paragraph("标题之后") + &deep), "", &[]));
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    assert!(stderr(&out).contains("嵌套过深"), "{}", shown(&out));
    assert!(written.unwrap().contains("标题之后"));

    // A picture pointing out of the package, a script link, a style based on itself, a
    // footnote that refers to itself, a field never ended.
    let body = format!(
        "{}<w:p><w:pPr><w:pStyle w:val=\"Loop\"/></w:pPr><w:r><w:t>循环样式</w:t></w:r>\
         <w:hyperlink r:id=\"rIdJs\"><w:r><w:t>点我</w:t></w:r></w:hyperlink>\
         <w:r><w:drawing><wp:inline><wp:docPr id=\"1\" name=\"p\" descr=\"外面的图\"/><a:graphic><a:graphicData><a:blip r:embed=\"rIdOut\"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>\
         <w:r><w:footnoteReference w:id=\"5\"/></w:r>\
         <w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>HYPERLINK \"https://example.org/\"</w:instrText></w:r></w:p>",
        paragraph("正文")
    );
    let rels = "<Relationship Id=\"rIdJs\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"javascript:alert(1)\" TargetMode=\"External\"/>\
        <Relationship Id=\"rIdOut\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"../../../../etc/passwd.png\"/>\
        <Relationship Id=\"rIdS\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
        <Relationship Id=\"rIdF\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes\" Target=\"footnotes.xml\"/>";
    let styles = br#"<?xml version="1.0"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:style w:type="paragraph" w:styleId="Loop"><w:name w:val="Loop"/><w:basedOn w:val="Loop"/></w:style></w:styles>"#;
    let footnotes = r#"<?xml version="1.0"?><w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="5"><w:p><w:r><w:t>自己</w:t></w:r><w:r><w:footnoteReference w:id="5"/></w:r></w:p></w:footnote></w:footnotes>"#;
    let (site, out, written) = import_bytes(&docx(
        &body,
        rels,
        &[
            ("word/styles.xml", styles),
            ("word/footnotes.xml", footnotes.as_bytes()),
        ],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let written = written.unwrap();
    assert!(written.contains("循环样式点我"), "{written}");
    assert!(!written.contains("javascript"), "{written}");
    assert!(
        stderr(&out).contains("指向的不是网址（javascript:alert(1)）"),
        "{}",
        shown(&out)
    );
    assert!(
        stderr(&out).contains("图片“外面的图”在文档里找不到"),
        "{}",
        shown(&out)
    );
    assert!(written.contains("[^1]: 自己[^1]"), "{written}");
    build_ok(site.path(), &["--drafts"]);
}

#[test]
fn numbering_hidden_text_broken_fields_and_active_svg_are_contained() {
    let w = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
    let numbering = format!(
        "<?xml version=\"1.0\"?><w:numbering {w}><w:abstractNum w:abstractNumId=\"1\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"4000000000\"/><w:numFmt w:val=\"upperLetter\"/><w:lvlText w:val=\"%1%1%1%1%1%1%1%1、\"/></w:lvl></w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"1\"/></w:num></w:numbering>"
    );
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)" width="10" height="10"/>"#;
    let body = format!(
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr></w:pPr><w:r><w:t>编号很大</w:t></w:r></w:p>\
         <w:p><w:r><w:t>看得见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的批示</w:t></w:r></w:p>\
         <w:p><w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r></w:p>\
         {}\
         <w:p><w:r><w:drawing><wp:inline><wp:docPr id=\"1\" name=\"p\" descr=\"矢量图\"/><a:graphic><a:graphicData><a:blip r:embed=\"rIdSvg\"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
        paragraph("后面的段落")
    );
    let rels = "<Relationship Id=\"rIdN\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>\
        <Relationship Id=\"rIdSvg\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/a.svg\"/>";
    let (site, out, written) = import_bytes(&docx(
        &body,
        rels,
        &[
            ("word/numbering.xml", numbering.as_bytes()),
            ("word/media/a.svg", svg),
        ],
    ));
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let written = written.unwrap();
    assert!(written.len() < 2_000, "{written}");
    assert!(written.contains("编号很大"), "{written}");
    assert!(
        written.contains("看得见") && !written.contains("隐藏的批示"),
        "{written}"
    );
    assert!(written.contains("后面的段落"), "{written}");
    assert!(!written.contains(".svg"), "{written}");
    let err = stderr(&out);
    assert!(err.contains("隐藏的文字没有导入：共 1 处"), "{err}");
    assert!(
        err.contains("图片“矢量图”是带脚本或事件的 SVG 文件"),
        "{err}"
    );
    build_ok(site.path(), &["--drafts"]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..Default::default()
    })]

    /// Whatever text, formatting, lists and tables a document holds, the article imported
    /// from it builds, and its text reaches the page.
    #[test]
    fn any_document_imports_into_an_article_that_builds(
        blocks in proptest::collection::vec(
            (0..6u8, "[a-z0-9 中文“”#*_`~<>\\[\\]()!{}%&|=+.\\-:/@\\\\]{1,24}", proptest::bool::ANY),
            1..12,
        )
    ) {
        let mut body = String::new();
        for (kind, text, bold) in &blocks {
            let text = text
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let run = format!(
                "<w:r>{}<w:t xml:space=\"preserve\">{text}</w:t></w:r>",
                if *bold { "<w:rPr><w:b/></w:rPr>" } else { "" }
            );
            body.push_str(&match kind {
                0 => format!("<w:p>{run}</w:p>"),
                1 => format!("<w:p><w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr>{run}</w:p>"),
                2 => format!("<w:p>{run}<w:r><w:br/></w:r>{run}</w:p>"),
                3 => format!("<w:tbl><w:tr><w:tc><w:p>{run}</w:p></w:tc><w:tc><w:p>{run}</w:p></w:tc></w:tr></w:tbl>"),
                4 => format!("<w:p><w:hyperlink r:id=\"rIdL\">{run}</w:hyperlink></w:p>"),
                _ => format!("<w:p><w:r><w:t>　　</w:t></w:r>{run}</w:p>"),
            });
        }
        let rels = "<Relationship Id=\"rIdL\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"https://example.org/a b?c=(1)\" TargetMode=\"External\"/>";
        let (site, out, written) = import_bytes(&docx(&body, rels, &[]));
        proptest::prop_assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
        proptest::prop_assert!(written.is_some());
        let built = pufa(site.path(), &["build", "--drafts"]);
        proptest::prop_assert!(
            built.status.success(),
            "{}\n{}",
            written.unwrap_or_default(),
            String::from_utf8_lossy(&built.stderr)
        );
    }
}
