//! Making the files of a picture: decoding, cropping, resizing, turning and encoding.

use super::{
    Format, JPEG_QUALITY, Kind, MAX_PIXELS, Output, Probe, WEBP_MAX, WEBP_METHOD, WEBP_QUALITY,
    clean,
};
use crate::diagnostic::Diagnostic;

/// Decodes the picture once and makes each of `outputs`.
///
/// The widths are made largest first, each from the smallest one made so far that is at least
/// one and a half times as wide (the 960 from the 1,600, the 480 from the 960), else from the
/// picture itself; a turned photo is turned after it is made small, not before (turning
/// 12 million pixels took a sixth of the time). WebP and JPEG of one size share the pixels.
/// Cropped outputs come last, cut from the upright pixels made before them by the same rule.
pub(super) fn make(
    bytes: &[u8],
    probe: &Probe,
    outputs: &[&Output],
) -> Result<Vec<Vec<u8>>, Diagnostic> {
    let fail = |what: String| Diagnostic::error("picture/undecodable", what);
    let mut made: Vec<Option<Vec<u8>>> = vec![None; outputs.len()];
    let mut order: Vec<usize> = (0..outputs.len()).collect();
    order.sort_by_key(|&i| {
        let o = outputs[i];
        (o.crop.is_some(), std::cmp::Reverse((o.width, o.height)))
    });
    // A clean copy of a JPEG or PNG needs no decoding; the rest does.
    let mut decoded: Option<image::DynamicImage> = None;
    let decode_once = |decoded: &mut Option<image::DynamicImage>| -> Result<(), Diagnostic> {
        if decoded.is_none() {
            *decoded = Some(decode(bytes, probe).map_err(|e| fail(format!("图片读不出来：{e}")))?);
        }
        Ok(())
    };
    // Upright, uncropped pixels made so far, by size.
    let mut sized: Vec<image::DynamicImage> = Vec::new();
    // Cropped pixels made so far, by aspect and size.
    let mut cut: Vec<(super::Aspect, image::DynamicImage)> = Vec::new();
    for i in order {
        let o = outputs[i];
        // A turned PNG has no orientation block to keep: it is drawn upright instead.
        if o.kind == Kind::Clean && (probe.format == Format::Jpeg || probe.orientation <= 1) {
            let clean = clean::clean(bytes, probe.orientation)
                .ok_or_else(|| fail("图片的文件结构读不懂，无法去掉其中的拍摄信息".into()))?;
            made[i] = Some(clean);
            continue;
        }
        let same = |im: &image::DynamicImage| (im.width(), im.height()) == (o.width, o.height);
        let pixels = match o.crop {
            None => match sized.iter().position(same) {
                Some(at) => &sized[at],
                None => {
                    let source = sized
                        .iter()
                        .filter(|im| u64::from(im.width()) * 2 >= u64::from(o.width) * 3)
                        .min_by_key(|im| im.width());
                    let image = match source {
                        Some(upright) => resized(upright, o.width, o.height, 1),
                        None => {
                            decode_once(&mut decoded)?;
                            let stored = decoded.as_ref().expect("decoded above");
                            resized(stored, o.width, o.height, probe.orientation)
                        }
                    }
                    .map_err(|e| fail(format!("无法生成缩小的图片：{e}")))?;
                    sized.push(image);
                    sized.last().expect("pushed above")
                }
            },
            Some(aspect) => match cut.iter().position(|(a, im)| *a == aspect && same(im)) {
                Some(at) => &cut[at].1,
                None => {
                    let rect = super::crop_rect(probe, aspect)
                        .ok_or_else(|| fail("无法按主题要求的比例裁剪".into()))?;
                    // The cut's width in pixels of an upright picture `im` wide.
                    let cut_width = |im: &image::DynamicImage| {
                        u64::from(rect.2) * u64::from(im.width()) / u64::from(probe.width.max(1))
                    };
                    let ample = sized
                        .iter()
                        .filter(|im| cut_width(im) * 2 >= u64::from(o.width) * 3)
                        .min_by_key(|im| im.width());
                    let enough = || {
                        sized
                            .iter()
                            .filter(|im| cut_width(im) >= u64::from(o.width))
                            .max_by_key(|im| im.width())
                    };
                    let source = match ample.or_else(enough) {
                        Some(im) => im.clone(),
                        None => {
                            decode_once(&mut decoded)?;
                            let stored = decoded.as_ref().expect("decoded above");
                            resized(stored, probe.width, probe.height, probe.orientation)
                                .map_err(|e| fail(format!("无法生成缩小的图片：{e}")))?
                        }
                    };
                    let scale = |v: u32, of: u32, to: u32| {
                        (u64::from(v) * u64::from(to) / u64::from(of.max(1))) as u32
                    };
                    let (sw, sh) = (source.width(), source.height());
                    let x = scale(rect.0, probe.width, sw);
                    let y = scale(rect.1, probe.height, sh);
                    let w = scale(rect.2, probe.width, sw).clamp(1, sw - x.min(sw - 1));
                    let h = scale(rect.3, probe.height, sh).clamp(1, sh - y.min(sh - 1));
                    let image = resized(&source.crop_imm(x, y, w, h), o.width, o.height, 1)
                        .map_err(|e| fail(format!("无法生成裁剪的图片：{e}")))?;
                    cut.push((aspect, image));
                    &cut.last().expect("pushed above").1
                }
            },
        };
        let bytes = encode(pixels, o).map_err(|e| fail(format!("无法生成缩小的图片：{e}")))?;
        made[i] = Some(bytes);
    }
    Ok(made.into_iter().map(Option::unwrap_or_default).collect())
}

/// The picture's pixels as stored (not yet turned), as 8-bit RGB or RGBA.
fn decode(bytes: &[u8], probe: &Probe) -> Result<image::DynamicImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes));
    reader.limits({
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(MAX_PIXELS * 8);
        limits
    });
    let reader = reader
        .with_guessed_format()
        .map_err(|_| "文件读不出来".to_string())?;
    let image = reader.decode().map_err(super::undecodable)?;
    Ok(if probe.alpha {
        image::DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        image::DynamicImage::ImageRgb8(image.into_rgb8())
    })
}

/// `image` (stored with EXIF `orientation`) upright at `width` × `height`: resized to the
/// stored shape of that size (Lanczos3), then turned.
fn resized(
    image: &image::DynamicImage,
    width: u32,
    height: u32,
    orientation: u8,
) -> Result<image::DynamicImage, String> {
    use fast_image_resize as fr;
    let (w, h) = if orientation >= 5 {
        (height, width)
    } else {
        (width, height)
    };
    let (pixel, data) = match image {
        image::DynamicImage::ImageRgba8(i) => (fr::PixelType::U8x4, i.as_raw()),
        image::DynamicImage::ImageRgb8(i) => (fr::PixelType::U8x3, i.as_raw()),
        _ => return Err("不支持的像素格式".into()),
    };
    let pixels = if (w, h) == (image.width(), image.height()) {
        data.clone()
    } else {
        let src = fr::images::ImageRef::new(image.width(), image.height(), data, pixel)
            .map_err(|e| e.to_string())?;
        let mut dst = fr::images::Image::new(w, h, pixel);
        fr::Resizer::new()
            .resize(&src, &mut dst, None)
            .map_err(|e| e.to_string())?;
        dst.into_vec()
    };
    let mut out: image::DynamicImage = match pixel {
        fr::PixelType::U8x4 => image::RgbaImage::from_raw(w, h, pixels).map(Into::into),
        _ => image::RgbImage::from_raw(w, h, pixels).map(Into::into),
    }
    .ok_or("像素数目不对")?;
    if let Some(o) = image::metadata::Orientation::from_exif(orientation) {
        out.apply_orientation(o);
    }
    Ok(out)
}

/// One output from upright pixels of its size: encoded.
fn encode(image: &image::DynamicImage, o: &Output) -> Result<Vec<u8>, String> {
    let (pixels, channels): (&[u8], u8) = match image {
        image::DynamicImage::ImageRgba8(i) => (i.as_raw(), 4),
        image::DynamicImage::ImageRgb8(i) => (i.as_raw(), 3),
        _ => return Err("不支持的像素格式".into()),
    };
    let mut out = Vec::new();
    match (o.kind, channels) {
        (Kind::Webp, _) => return webp(pixels, o.width, o.height, channels),
        (Kind::Jpeg, 3) => jpeg(pixels, o.width, o.height, &mut out)?,
        (Kind::Jpeg, _) => {
            // A share card of a transparent picture: on white.
            let rgb: Vec<u8> = pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    let a = u16::from(p[3]);
                    let on_white = |c: u8| ((u16::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
                    [on_white(p[0]), on_white(p[1]), on_white(p[2])]
                })
                .collect();
            jpeg(&rgb, o.width, o.height, &mut out)?;
        }
        (Kind::Png | Kind::Clean, _) => {
            use image::ImageEncoder;
            let color = if channels == 4 {
                image::ExtendedColorType::Rgba8
            } else {
                image::ExtendedColorType::Rgb8
            };
            image::codecs::png::PngEncoder::new(&mut out)
                .write_image(pixels, o.width, o.height, color)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

fn jpeg(rgb: &[u8], width: u32, height: u32, out: &mut Vec<u8>) -> Result<(), String> {
    let (w, h) = (
        u16::try_from(width).map_err(|_| "图片太宽")?,
        u16::try_from(height).map_err(|_| "图片太高")?,
    );
    jpeg_encoder::Encoder::new(out, JPEG_QUALITY)
        .encode(rgb, w, h, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| e.to_string())
}

/// Lossy WebP through libwebp's encoder at quality [`WEBP_QUALITY`] and effort
/// [`WEBP_METHOD`].
fn webp(pixels: &[u8], width: u32, height: u32, channels: u8) -> Result<Vec<u8>, String> {
    use libwebp_sys as w;
    let stride = width as usize * usize::from(channels);
    if pixels.len() < stride * height as usize || width > WEBP_MAX || height > WEBP_MAX {
        return Err("WebP 不支持这样的尺寸".into());
    }
    let fail = || "WebP 编码失败".to_string();
    let mut config =
        w::WebPConfig::new_with_preset(w::WebPPreset::WEBP_PRESET_DEFAULT, WEBP_QUALITY)
            .map_err(|_| fail())?;
    config.method = WEBP_METHOD;
    let mut picture = w::WebPPicture::new().map_err(|_| fail())?;
    picture.width = width as i32;
    picture.height = height as i32;
    let mut writer = std::mem::MaybeUninit::<w::WebPMemoryWriter>::uninit();
    // SAFETY: `pixels` holds `height` rows of `stride` bytes (checked above) and outlives the
    // calls; the picture imports a copy of them, and is freed before returning. The writer is
    // initialised before use; libwebp grows its buffer, which is copied out and cleared.
    unsafe {
        w::WebPMemoryWriterInit(writer.as_mut_ptr());
        let mut writer = writer.assume_init();
        picture.writer = Some(w::WebPMemoryWrite);
        picture.custom_ptr = (&raw mut writer).cast();
        let imported = if channels == 4 {
            w::WebPPictureImportRGBA(&mut picture, pixels.as_ptr(), stride as i32)
        } else {
            w::WebPPictureImportRGB(&mut picture, pixels.as_ptr(), stride as i32)
        };
        let ok = imported != 0 && w::WebPEncode(&config, &mut picture) != 0;
        w::WebPPictureFree(&mut picture);
        let bytes = (ok && !writer.mem.is_null())
            .then(|| std::slice::from_raw_parts(writer.mem, writer.size).to_vec());
        w::WebPMemoryWriterClear(&mut writer);
        bytes.ok_or_else(fail)
    }
}
