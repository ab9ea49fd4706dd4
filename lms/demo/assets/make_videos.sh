#!/usr/bin/env bash
# Regenerate the demo videos of lms/demo/data/media.yaml (not needed at run time: the
# .mp4 files are committed). Each is a silent 8-second H.264 clip, 320x180, of
# four text cards over a progress bar, under 15 KB. The cards' text is what the
# transcripts in lms/demo/data/modules/ say.
#
# Needs an ffmpeg with libx264 and drawtext, e.g. the binary inside the
# imageio-ffmpeg wheel:  pip download --no-deps -d /tmp/ff imageio-ffmpeg, unzip it,
# then  FFMPEG=/tmp/ff/.../imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-... ./make_videos.sh
set -euo pipefail
cd "$(dirname "$0")"
FFMPEG=${FFMPEG:-ffmpeg}
FONT=${FONT:-/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

make_video() {  # output file, then four cards of two seconds each
  local out=$1 i filters="[0][1]overlay=x='-w+W*t/7.9':y=H-h"
  shift
  local style="fontfile=$FONT:fontcolor=white:fontsize=20:line_spacing=6:x=(w-text_w)/2:y=(h-text_h)/2"
  i=0
  for card in "$@"; do
    printf '%b' "$card" >"$work/card$i.txt"
    filters+=",drawtext=textfile=$work/card$i.txt:$style:enable='gte(t,$((i * 2)))*lt(t,$((i * 2 + 2)))'"
    i=$((i + 1))
  done
  "$FFMPEG" -hide_banner -loglevel error -y \
    -f lavfi -i "color=c=0x1d5c4d:s=320x180:r=10:d=8" \
    -f lavfi -i "color=c=0xf2b84b:s=320x6:r=10:d=8" \
    -filter_complex "$filters" \
    -c:v libx264 -preset veryslow -crf 30 -pix_fmt yuv420p -profile:v baseline \
    -movflags +faststart -an "$out"
}

make_video presenter-son-projet.mp4 \
  "Présenter son projet\nen deux minutes" "1. Le besoin social" "2. Votre réponse" \
  "3. Ce qui vous manque"
make_video tester-avant-de-se-lancer.mp4 \
  "Tester avant\nde se lancer" "1. Une version simple" "2. Quelques personnes" \
  "3. Ce que vous apprenez"
make_video impact-en-trois-questions.mp4 \
  "Votre impact\nen trois questions" "1. Qu’est-ce qui change\u202f?" "2. Pour qui\u202f?" \
  "3. Comment le savoir\u202f?"
ls -l ./*.mp4
