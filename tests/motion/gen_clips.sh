#!/bin/bash
# Generate the motion clip suite with ffmpeg (lavfi sources): Y4M clips and
# ground truth into DIR (default build/motion-clips). Cached: clips are
# only rebuilt when this script changes.
#
# Each clip NAME gets NAME.y4m and NAME.truth: one "START END [LATEST_END]"
# line (seconds) per interval with real motion (LATEST_END: the event must
# be over by then); an empty .truth means nothing may fire.
#
# usage: tests/motion/gen_clips.sh [DIR]
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=${1:-$top/build/motion-clips}
mkdir -p "$dir"
stamp=$(md5sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
    echo "motion clips: cached in $dir"
    exit 0
fi
rm -f "$dir"/*.y4m "$dir"/*.truth "$dir/.stamp"
command -v ffmpeg > /dev/null || { echo "gen_clips: ffmpeg not found" >&2; exit 1; }

W=320 H=180 R=10 D=12
ff() { nice -n 10 ffmpeg -hide_banner -loglevel error -nostdin -y -threads 1 "$@"; }

# The static scene: one frame of testsrc2, and a flat grey one.
ff -f lavfi -i "testsrc2=s=${W}x${H}:r=1" -frames:v 1 "$dir/scene.png"
ff -f lavfi -i "color=c=0x606060:s=${W}x${H}:r=1" -frames:v 1 "$dir/grey.png"

# clip NAME SCENE "TRUTH LINES" FILTER [extra inputs...]
# The scene is input 0 ([0]); FILTER must end in a label-less output.
clip() {
    local name=$1 scene=$2 truth=$3 filter=$4
    shift 4
    ff -loop 1 -framerate $R -t $D -i "$dir/$scene.png" "$@" \
        -filter_complex "$filter,format=yuv420p" -t $D -r $R \
        -f yuv4mpegpipe "$dir/$name.y4m.tmp"
    mv "$dir/$name.y4m.tmp" "$dir/$name.y4m"
    printf '%s' "$truth" > "$dir/$name.truth"
}
# box SIZE COLOR: an extra lavfi input, a SIZE square of COLOR
box() { echo -f lavfi -i "color=c=$2:s=$1x$1:r=$R"; }

# moving objects: [0]=scene, [1]=object; visible between A and B seconds,
# moving from X0 at SPEED px/s.
mv_obj() { # A B X0 Y SPEED Y_SPEED
    echo "[0][1]overlay=x='$3+(t-$1)*$5':y='$4+(t-$1)*${6:-0}':enable='between(t,$1,$2)'"
}

# --- must fire -------------------------------------------------------
clip big_fast scene $'2 4\n' "$(mv_obj 2 4 0 40 120)" $(box 80 white)
clip medium scene $'3 8\n' "$(mv_obj 3 8 20 60 50 5)" $(box 40 0x202020)
clip small_slow scene $'2 10\n' "$(mv_obj 2 10 40 100 12)" $(box 16 white)
clip tiny_fast scene $'4 7\n' "$(mv_obj 4 7 0 30 90 10)" $(box 12 black)
clip low_contrast grey $'3 9\n' "$(mv_obj 3 9 30 60 30),noise=alls=4:allf=t" $(box 40 0x747474)
clip dark grey $'2 8\n' "[0]lutyuv=y=val*0.4[d];[d][1]overlay=x='20+(t-2)*40':y=60:enable='between(t,2,8)',noise=alls=10:allf=t" $(box 48 0x484848)
clip noisy_object scene $'3 8\n' "$(mv_obj 3 8 10 50 50),noise=alls=25:allf=t" $(box 48 0x404040)
clip two_events scene $'1.5 3.5\n8 10\n' \
    "[0][1]overlay=x='(t-1.5)*100':y=20:enable='between(t,1.5,3.5)'[a];[a][2]overlay=x='300-(t-8)*100':y=110:enable='between(t,8,10)'" \
    $(box 40 white) $(box 40 black)
clip diagonal scene $'4 9\n' "$(mv_obj 4 9 20 10 40 25)" $(box 30 0xc0c0c0)
# an object already there while the background is learnt, leaving at 3 s:
# the spot it leaves is no motion once still (event over by 14 s, not at
# the clip's end 20 s later)
D=20 clip object_leaves scene $'3 5 14\n' \
    "[0][1]overlay=x='if(lt(t,3),60,60+(t-3)*150)':y=60" $(box 50 0x202020)
# a car that parks: moving 2-5 s, then still for good (event over by 14 s)
D=20 clip parks scene $'2 5 14\n' \
    "[0][1]overlay=x='if(lt(t,5),(t-2)*60,180)':y=100:enable='gte(t,2)'" $(box 50 0xd0d0d0)

# --- must not fire ---------------------------------------------------
# light switched on at 4 s and off at 8 s
clip light_switch scene '' "[0]lutyuv=y='clip(val*1.5+20,16,235)':enable='between(t,4,8)'"
# slow dusk: fade to 30 % brightness with rising noise
clip dusk_fade scene '' \
    "[0]split[a][b];[b]lutyuv=y=val*0.3,noise=alls=18:allf=t[n];[a][n]blend=all_expr='A*(1-T/12)+B*(T/12)'"
# heavy sensor noise
clip heavy_noise scene '' "[0]noise=alls=40:allf=t"
# a blinking status LED, 1 Hz
clip blinking_led scene '' \
    "[0][1]overlay=x=250:y=150:enable='lt(mod(t,1),0.5)'" $(box 6 white)
# IR day/night switch at 5 s: grey from mostly the red channel, brighter, noisier
clip ir_switch scene '' \
    "[0]split[a][b];[b]colorchannelmixer=rr=0.8:rg=0.2:gr=0.8:gg=0.2:br=0.8:bg=0.2,lutyuv=y='clip(val*1.2+15,16,235)':u=128:v=128,noise=alls=8:allf=t[ir];[a][ir]overlay=enable='gte(t,5)'"
# auto-exposure hunting: brightness pumping +-25 % over 3 s
clip auto_exposure scene '' "[0]format=yuv420p,geq=lum='clip(lum(X,Y)*(1+0.25*sin(2*PI*T/3)),16,235)':cb='cb(X,Y)':cr='cr(X,Y)'"
# H.264 compression artefacts: a noisy scene through x264 at a low quality,
# keyframe every second (pumping, blocks, mosquito noise)
ff -loop 1 -framerate $R -t $D -i "$dir/scene.png" -vf "noise=alls=12:allf=t,format=yuv420p" \
    -c:v libx264 -preset veryfast -crf 40 -g $R -t $D "$dir/h264.mp4"
ff -i "$dir/h264.mp4" -pix_fmt yuv420p -f yuv4mpegpipe "$dir/h264_artifacts.y4m"
printf '' > "$dir/h264_artifacts.truth"
rm -f "$dir/h264.mp4"

# --- local light: shadows and headlights on textured scenes ------------
# A textured scene (gravel, a lawn): blobs of three sizes of noise over a
# little of testsrc2's structure, and the same scene at night.
ff -f lavfi -i "testsrc2=s=${W}x${H}:r=1" \
    -f lavfi -i "color=c=0x808080:s=40x24:r=1,noise=alls=100:allf=u,scale=${W}x${H}:flags=bicubic" \
    -f lavfi -i "color=c=0x808080:s=106x60:r=1,noise=alls=100:allf=u,scale=${W}x${H}:flags=bicubic" \
    -f lavfi -i "color=c=0x808080:s=${W}x${H}:r=1,noise=alls=60:allf=u" \
    -filter_complex "[0]format=gray[a];[1]format=gray[b];[2]format=gray[c];[3]format=gray[d];[b][c]blend=all_expr='(A+B)/2'[bc];[bc][d]blend=all_expr='A*0.8+B*0.2'[n];[a][n]blend=all_expr='A*0.25+B*0.75',eq=contrast=2.2" \
    -frames:v 1 "$dir/texture.png"
ff -i "$dir/texture.png" -vf "format=gray,lutyuv=y='16+val*0.3'" -frames:v 1 "$dir/night.png"
# shadow X0 SPEED Y RX RY STRENGTH: the luma darkened by a soft (Gaussian)
# shadow RX x RY, its centre moving from X0 at SPEED px/s along row Y
shadow() {
    echo "lum(X,Y)*(1-$6*exp(-(pow((X-($1+T*$2))/$4,2)+pow((Y-$3)/$5,2))/2))"
}
# glow X0 SPEED Y R GAIN: a headlight's light, GAIN times brighter at its
# centre (a light on the surface: the texture scaled, not a flat patch)
glow() {
    echo "min(255,lum(X,Y)*(1+($5-1)*exp(-(pow(X-($1+T*$2),2)+pow(Y-$3,2))/(2*$4*$4))))"
}
# lclip NAME SCENE TRUTH PRE POST [inputs]: PRE (objects on the scene) then
# the light (geq POST), camera noise; and NAME_h264, the same through x264
# at a camera's usual quality
lclip() {
    local name=$1 scene=$2 truth=$3 pre=$4 post=$5
    shift 5
    D=20 clip "$name" "$scene" "$truth" \
        "${pre}format=gray,geq=lum='$post',noise=alls=4:allf=t" "$@"
    ff -i "$dir/$name.y4m" -c:v libx264 -preset veryfast -crf 30 -g 20 "$dir/$name.mp4"
    ff -i "$dir/$name.mp4" -pix_fmt yuv420p -f yuv4mpegpipe "$dir/${name}_h264.y4m"
    printf '%s' "$truth" > "$dir/${name}_h264.truth"
    rm -f "$dir/$name.mp4"
}
# must not fire: shadows of several shapes, speeds and strengths ...
lclip shadow_round texture '' '' "$(shadow -80 25 90 45 45 0.4)"
lclip shadow_long_fast texture '' '' "$(shadow -100 40 60 70 25 0.5)"
lclip shadow_weak_large texture '' '' "$(shadow -120 22 100 80 80 0.2)"
lclip shadow_slow_dark texture '' '' "$(shadow 20 12 80 40 50 0.55)"
# ... and headlights of several sizes sweeping the scene at night in 2-4 s
# (the small one's falloff curves within a block: the detector's curved
# light model)
lclip headlight_small night '' '' "$(glow '(-40-8*160)' 160 100 18 3)"
lclip headlight_medium night '' '' "$(glow '(-60-8*110)' 110 80 35 2.5)"
lclip headlight_large night '' '' "$(glow '(-90-8*90)' 90 90 60 2)"
# must fire: a person walking through a drifting shadow, 5-12 s ...
lclip person_in_shadow texture $'5 12\n' "[0][1]overlay=x='40+(t-5)*25':y=70:enable='between(t,5,12)'," \
    "$(shadow -60 22 90 55 55 0.4)" $(echo -f lavfi -i "color=c=0x383838:s=16x40:r=$R")
# ... and a car with its headlights' glow ahead of it, in the frame 6-10 s
lclip car_headlights night $'6 10\n' "[0][1]overlay=x='-60+(t-6)*95':y=95:enable='between(t,6,10.5)',format=gray,geq=lum='$(glow '(-60+100-6*95)' 95 105 30 2.5)'," \
    "lum(X,Y)" $(echo -f lavfi -i "color=c=0x606060:s=60x24:r=$R")

echo "$stamp" > "$dir/.stamp"
echo "motion clips: generated in $dir"
