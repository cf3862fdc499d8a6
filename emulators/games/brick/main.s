; Brick - a wall-breaking paddle game for the NES (Arcade Arena, MIT licence).
; Build: ca65 -I ../shared main.s && ld65 -C brick.cfg (see scripts/build-games.ts)
; RAM map and host interface: see README.md in this folder.

.include "nes.inc"
.include "tiles.inc"
.include "font.inc"
.include "charmap.inc"

.segment "HEADER"
  .byte $4E, $45, $53, $1A   ; "NES" EOF (raw bytes: text goes through the charmap)
  .byte 1                  ; 16 KiB PRG-ROM
  .byte 1                  ; 8 KiB CHR-ROM
  .byte $00                ; mapper 0, horizontal mirroring
  .byte $00
  .res 8, $00

.include "core.inc"
.include "chr.inc"

; ---- documented game variables (fixed addresses, see README.md) ----
playing      = $40         ; 1 once play has begun after START
game_over    = $41         ; 1 when the game has ended
score_lo     = $42         ; score, 16-bit binary, little-endian
score_hi     = $43
lives        = $44         ; balls left, including the one in play (5 at start)
bricks_left  = $45         ; bricks left in the current wall (84 when full)
ball_x       = $46         ; ball left edge, pixels (16..234)
ball_y       = $47         ; ball top edge, pixels (32..~235)
ball_vx_lo   = $48         ; ball x velocity, signed 8.8 pixels per frame
ball_vx_hi   = $49
ball_vy_lo   = $4A         ; ball y velocity, signed 8.8 (negative = upwards)
ball_vy_hi   = $4B
paddle_x     = $4C         ; paddle left edge, pixels (16..208), 32 wide
ball_state   = $4D         ; 0 = ball waits on the paddle, 1 = ball in flight
wall_no      = $4E         ; 0 = first wall, 1 = second wall
speed_level  = $4F         ; 0..3
paddle_hits  = $50         ; paddle hits since this ball was served
won          = $51         ; 1 when both walls were cleared

; ---- internal variables ----
ball_xf      = $60         ; sub-pixel parts of the ball position
ball_yf      = $61
dir_x        = $62         ; 0 = right, 1 = left
dir_y        = $63         ; 0 = down, 1 = up
angle        = $64         ; 0 = steep .. 2 = flat
upper_hit    = $65         ; 1 once this ball broke a brick in the two top rows
serve_timer  = $66         ; frames until the waiting ball launches by itself
digits       = $67         ; 5 decimal score digits, most significant first
refill_row   = $6C         ; next brick row to redraw (6 = none)
old_x        = $6D
old_xf       = $6E
old_y        = $6F
old_yf       = $70
hit_index    = $71

BRICKS       = $0300       ; 6 rows x 16 bytes (columns 0..13 used), 1 = brick

; ---- playfield geometry ----
FIELD_L      = 16
FIELD_R      = 240
FIELD_T      = 32
BRICK_Y      = 48          ; top of brick row 0
BRICK_ROWS   = 6
BRICK_COLS   = 14
BALL_SIZE    = 6
BALL_MAX_X   = FIELD_R - BALL_SIZE
PADDLE_Y     = 208
PADDLE_W     = 32
PADDLE_MAX_X = FIELD_R - PADDLE_W
PADDLE_SPEED = 3
LOST_Y       = 232
SERVE_FRAMES = 120         ; the waiting ball launches by itself after this
START_LIVES  = 5

T_WALL       = $01
T_BLOCK      = $06
T_BRICK1     = $02
T_BRICK2     = $04
T_BALL       = $40
T_PAD_L      = $41
T_PAD_M      = $42
T_PAD_R      = $43

.segment "CODE"

main:
  jsr title_screen
  jsr start_game
@frame:
  jsr wait_frame
  jsr buf_begin
  jsr read_pads
  lda game_over
  bne @idle
  jsr move_paddle
  lda ball_state
  bne @flying
  jsr serve_wait
  jmp @after
@flying:
  jsr move_ball
@after:
  jsr check_cleared
  jsr refill_step
@idle:
  jsr draw_hud
  jsr draw_sprites
  jsr buf_end
  jmp @frame

; ---------------------------------------------------------------- title
title_screen:
  SET_PTR palette
  jsr load_palette
  jsr clear_nametable
  SET_PTR title_text
  jsr draw_records
  SET_PTR big_title
  jsr draw_records
  jsr set_attributes
  jsr title_attributes
  jsr fill_bricks
  ; two decorative rows of bricks
  lda #0
  jsr draw_brick_row_direct
  lda #1
  jsr draw_brick_row_direct
  jsr ppu_on
@wait:
  jsr wait_frame
  jsr read_pads
  lda pad1_new
  and #BTN_START
  beq @wait
  rts

; Title screen: rows 8..15 use palette 1 (the big title).
title_attributes:
  bit PPUSTATUS
  lda #$23
  sta PPUADDR
  lda #$D0
  sta PPUADDR
  ldx #16
  lda #$55
@loop:
  sta PPUDATA
  dex
  bne @loop
  rts

; ---------------------------------------------------------------- game start
start_game:
  jsr seed_rng
  lda #START_LIVES
  sta lives
  lda #0
  sta score_lo
  sta score_hi
  sta wall_no
  sta won
  sta game_over
  ldx #4
@zero:
  sta digits, x
  dex
  bpl @zero
  lda #(FIELD_L + FIELD_R - PADDLE_W) / 2
  sta paddle_x
  jsr fill_bricks
  lda #BRICK_ROWS
  sta refill_row
  jsr new_ball
  jsr ppu_off
  jsr clear_nametable
  SET_PTR play_text
  jsr draw_records
  jsr draw_walls
  jsr set_attributes
  ldy #0
@rows:
  tya
  pha
  jsr draw_brick_row_direct
  pla
  tay
  iny
  cpy #BRICK_ROWS
  bne @rows
  jsr draw_sprites
  jsr ppu_on
  lda #1
  sta playing
  rts

fill_bricks:
  ldx #0
@loop:
  txa
  and #$0F
  cmp #BRICK_COLS
  lda #0
  bcs @store
  lda #1
@store:
  sta BRICKS, x
  inx
  cpx #BRICK_ROWS * 16
  bne @loop
  lda #BRICK_ROWS * BRICK_COLS
  sta bricks_left
  rts

; Put a fresh ball on the paddle, at the slowest speed.
new_ball:
  lda #0
  sta ball_state
  sta paddle_hits
  sta upper_hit
  sta speed_level
  sta ball_xf
  sta ball_yf
  sta ball_vx_lo
  sta ball_vx_hi
  sta ball_vy_lo
  sta ball_vy_hi
  lda #SERVE_FRAMES
  sta serve_timer
  jmp ball_on_paddle

ball_on_paddle:
  lda paddle_x
  clc
  adc #(PADDLE_W - BALL_SIZE) / 2
  sta ball_x
  lda #PADDLE_Y - BALL_SIZE
  sta ball_y
  rts

; ---------------------------------------------------------------- drawing at start
draw_walls:
  lda #$20                 ; top wall, row 3, columns 1..30
  sta tmp1
  lda #$61
  sta tmp0
  lda #0
  sta tmp2
  ldx #30
  lda #T_WALL
  jsr fill_run
  lda #1                   ; side walls, rows 4..29
  sta tmp2
  lda #$81
  sta tmp0
  ldx #26
  lda #T_WALL
  jsr fill_run
  lda #$9E
  sta tmp0
  ldx #26
  lda #T_WALL
  jsr fill_run
  rts

set_attributes:
  bit PPUSTATUS
  lda #$23
  sta PPUADDR
  lda #$C8
  sta PPUADDR
  ldx #8
  lda #$50                 ; rows 6-7: palette 1
@a1:
  sta PPUDATA
  dex
  bne @a1
  ldx #8
  lda #$FA                 ; rows 8-9: palette 2, rows 10-11: palette 3
@a2:
  sta PPUDATA
  dex
  bne @a2
  rts

; Draw brick row A (0..5) from BRICKS straight to the PPU (rendering off).
draw_brick_row_direct:
  jsr brick_row_addr
  bit PPUSTATUS
  lda tmp1
  sta PPUADDR
  lda tmp0
  sta PPUADDR
  ldx #0
@loop:
  jsr brick_tiles
  lda tmp2
  sta PPUDATA
  lda tmp3
  sta PPUDATA
  inx
  cpx #BRICK_COLS
  bne @loop
  rts

; A = row -> tmp1/tmp0 = PPU address of its first brick, tmp3 = row * 16
brick_row_addr:
  sta hit_index
  asl a
  asl a
  asl a
  asl a
  sta tmp3
  asl a                    ; row * 32
  clc
  adc #$C2
  sta tmp0
  lda #$20
  adc #0
  sta tmp1
  rts

; X = column, hit_index = row: tmp2/tmp3 = the two tiles for that brick
brick_tiles:
  txa
  pha
  lda hit_index
  asl a
  asl a
  asl a
  asl a
  sta tmp2
  txa
  ora tmp2
  tax
  lda BRICKS, x
  beq @empty
  lda hit_index
  and #1
  asl a
  clc
  adc #T_BRICK1
  sta tmp2
  adc #1
  sta tmp3
  pla
  tax
  rts
@empty:
  lda #0
  sta tmp2
  sta tmp3
  pla
  tax
  rts

; ---------------------------------------------------------------- per-frame logic
move_paddle:
  lda pad1
  and #BTN_LEFT
  beq @right
  lda paddle_x
  sec
  sbc #PADDLE_SPEED
  cmp #FIELD_L
  bcs @setl
  lda #FIELD_L
@setl:
  sta paddle_x
@right:
  lda pad1
  and #BTN_RIGHT
  beq @done
  lda paddle_x
  clc
  adc #PADDLE_SPEED
  cmp #PADDLE_MAX_X + 1
  bcc @setr
  lda #PADDLE_MAX_X
@setr:
  sta paddle_x
@done:
  rts

; The ball sits on the paddle until A is pressed (or the serve timer ends).
serve_wait:
  jsr ball_on_paddle
  lda refill_row
  cmp #BRICK_ROWS
  bcc @done                ; a new wall is still being drawn
  lda pad1
  and #BTN_A
  bne launch
  dec serve_timer
  beq launch
@done:
  rts

launch:
  jsr rng_byte
  and #1
  sta dir_x
  jsr rng_byte
  and #1
  sta angle
  lda #1
  sta dir_y
  sta ball_state
  lda #0
  sta ball_xf
  sta ball_yf
  jmp set_velocity

; Velocity from speed_level, angle, dir_x and dir_y.
set_velocity:
  lda speed_level
  asl a
  clc
  adc speed_level
  adc angle
  asl a
  tax
  lda vx_table, x
  sta ball_vx_lo
  lda vx_table + 1, x
  sta ball_vx_hi
  lda vy_table, x
  sta ball_vy_lo
  lda vy_table + 1, x
  sta ball_vy_hi
  lda dir_x
  beq @vy
  sec
  lda #0
  sbc ball_vx_lo
  sta ball_vx_lo
  lda #0
  sbc ball_vx_hi
  sta ball_vx_hi
@vy:
  lda dir_y
  beq @done
  sec
  lda #0
  sbc ball_vy_lo
  sta ball_vy_lo
  lda #0
  sbc ball_vy_hi
  sta ball_vy_hi
@done:
  rts

; Speed level = upper rows reached + (hits >= 4) + (hits >= 12).
update_speed:
  ldx upper_hit
  lda paddle_hits
  cmp #4
  bcc @set
  inx
  cmp #12
  bcc @set
  inx
@set:
  cpx speed_level
  beq @same
  stx speed_level
  jmp set_velocity
@same:
  rts

move_ball:
  ; ---- horizontal step ----
  lda ball_x
  sta old_x
  lda ball_xf
  sta old_xf
  clc
  lda ball_xf
  adc ball_vx_lo
  sta ball_xf
  lda ball_x
  adc ball_vx_hi
  sta ball_x
  lda dir_x
  beq @check_right
  lda ball_x
  cmp #FIELD_L
  bcs @bricks_x
  lda #FIELD_L
  sta ball_x
  lda #0
  sta dir_x
  sta ball_xf
  jsr set_velocity
  jmp @vertical
@check_right:
  lda ball_x
  cmp #BALL_MAX_X + 1
  bcc @bricks_x
  lda #BALL_MAX_X
  sta ball_x
  lda #1
  sta dir_x
  lda #0
  sta ball_xf
  jsr set_velocity
  jmp @vertical
@bricks_x:
  lda ball_x               ; leading edge
  ldx dir_x
  bne @lx
  clc
  adc #BALL_SIZE - 1
@lx:
  tax
  ldy ball_y
  jsr brick_at
  bcs @hit_x
  lda ball_y
  clc
  adc #BALL_SIZE - 1
  tay
  jsr brick_at
  bcc @vertical
@hit_x:
  jsr break_brick
  lda old_x
  sta ball_x
  lda old_xf
  sta ball_xf
  lda dir_x
  eor #1
  sta dir_x
  jsr set_velocity
@vertical:
  ; ---- vertical step ----
  lda ball_y
  sta old_y
  lda ball_yf
  sta old_yf
  clc
  lda ball_yf
  adc ball_vy_lo
  sta ball_yf
  lda ball_y
  adc ball_vy_hi
  sta ball_y
  lda dir_y
  beq @moving_down
  lda ball_y
  cmp #FIELD_T
  bcs @bricks_y
  lda #FIELD_T
  sta ball_y
  lda #0
  sta dir_y
  sta ball_yf
  jmp set_velocity
@moving_down:
  ; paddle: the ball's bottom crosses the paddle top this frame
  lda old_y
  cmp #PADDLE_Y - BALL_SIZE + 1
  bcs @below
  lda ball_y
  cmp #PADDLE_Y - BALL_SIZE + 1
  bcc @bricks_y
  lda ball_x               ; overlap: ball_x + 6 > paddle_x
  clc
  adc #BALL_SIZE
  cmp paddle_x
  bcc @below
  beq @below
  lda paddle_x             ; and ball_x < paddle_x + 32
  clc
  adc #PADDLE_W
  cmp ball_x
  bcc @below
  beq @below
  jmp paddle_bounce
@below:
  lda ball_y
  cmp #LOST_Y
  bcc @bricks_y
  jmp lose_ball
@bricks_y:
  lda ball_y               ; leading edge
  ldx dir_y
  bne @ly
  clc
  adc #BALL_SIZE - 1
@ly:
  tay
  ldx ball_x
  jsr brick_at
  bcs @hit_y
  lda ball_x
  clc
  adc #BALL_SIZE - 1
  tax
  jsr brick_at
  bcc @done
@hit_y:
  jsr break_brick
  lda old_y
  sta ball_y
  lda old_yf
  sta ball_yf
  lda dir_y
  eor #1
  sta dir_y
  jmp set_velocity
@done:
  rts

paddle_bounce:
  lda #PADDLE_Y - BALL_SIZE
  sta ball_y
  lda #0
  sta ball_yf
  lda #1
  sta dir_y
  ; segment = (ball centre - paddle_x + 2) / 4, clamped to 0..7
  lda ball_x
  clc
  adc #BALL_SIZE / 2 + 2
  sec
  sbc paddle_x
  bcs @pos
  lda #0
@pos:
  lsr a
  lsr a
  cmp #8
  bcc @seg
  lda #7
@seg:
  tax
  lda seg_dir, x
  sta dir_x
  lda seg_angle, x
  sta angle
  inc paddle_hits
  bne @nowrap
  dec paddle_hits
@nowrap:
  jsr set_velocity
  jmp update_speed

lose_ball:
  dec lives
  bne @again
  lda #1
  sta game_over
  lda #<game_over_rec
  sta ptr
  lda #>game_over_rec
  sta ptr + 1
  jmp buf_copy
@again:
  jmp new_ball

; X = pixel x, Y = pixel y -> C set and hit_index = brick index if a brick
; is there (X and Y preserved).
brick_at:
  tya
  sec
  sbc #BRICK_Y
  bcc @none
  cmp #BRICK_ROWS * 8
  bcs @none
  and #$F8
  asl a                    ; row * 16
  sta hit_index
  txa
  sec
  sbc #FIELD_L
  bcc @none
  cmp #BRICK_COLS * 16
  bcs @none
  lsr a
  lsr a
  lsr a
  lsr a
  ora hit_index
  sta hit_index
  stx tmp0
  tax
  lda BRICKS, x
  ldx tmp0
  cmp #1
  rts
@none:
  clc
  rts

; Remove brick hit_index: score, speed and the PPU erase record.
break_brick:
  ldx hit_index
  lda #0
  sta BRICKS, x
  dec bricks_left
  txa
  lsr a
  lsr a
  lsr a
  lsr a
  tay                      ; row
  lda row_points, y
  jsr add_points
  cpy #2
  bcs @erase
  lda upper_hit
  bne @erase
  lda #1
  sta upper_hit
  jsr update_speed
@erase:
  ; PPU address = $20C2 + row * 32 + column * 2
  lda hit_index
  and #$0F
  asl a
  sta tmp0
  tya
  asl a
  asl a
  asl a
  asl a
  asl a
  clc
  adc tmp0
  adc #$C2
  sta tmp0
  lda #$20
  adc #0
  ldx buf_idx
  sta BUF, x
  lda tmp0
  sta BUF + 1, x
  lda #2
  sta BUF + 2, x
  lda #0
  sta BUF + 3, x
  sta BUF + 4, x
  txa
  clc
  adc #5
  sta buf_idx
  rts

; A = points (1..9): add to the binary score and the decimal digits.
add_points:
  pha
  clc
  adc score_lo
  sta score_lo
  lda score_hi
  adc #0
  sta score_hi
  pla
  ldx #4
@add:
  clc
  adc digits, x
  cmp #10
  bcc @store
  sbc #10
  sta digits, x
  lda #1
  dex
  bpl @add
  rts
@store:
  sta digits, x
  rts

; After the last brick of a wall: a new wall, or the end of the game.
check_cleared:
  lda bricks_left
  bne @done
  lda game_over
  bne @done
  lda wall_no
  bne @finished
  inc wall_no
  jsr fill_bricks
  lda #0
  sta refill_row
  jmp new_ball
@finished:
  lda #1
  sta won
  sta game_over
  lda #<clear_rec
  sta ptr
  lda #>clear_rec
  sta ptr + 1
  jsr buf_copy
  lda #<game_over_rec
  sta ptr
  lda #>game_over_rec
  sta ptr + 1
  jmp buf_copy
@done:
  rts

; Redraw one brick row per frame after a new wall was set up.
refill_step:
  lda refill_row
  cmp #BRICK_ROWS
  bcs @done
  jsr brick_row_addr
  ldy buf_idx
  lda tmp1
  sta BUF, y
  lda tmp0
  sta BUF + 1, y
  lda #BRICK_COLS * 2
  sta BUF + 2, y
  iny
  iny
  iny
  ldx #0
@loop:
  jsr brick_tiles
  lda tmp2
  sta BUF, y
  iny
  lda tmp3
  sta BUF, y
  iny
  inx
  cpx #BRICK_COLS
  bne @loop
  sty buf_idx
  inc refill_row
@done:
  rts

; Score digits and lives, every frame.
draw_hud:
  ldx buf_idx
  lda #$20
  sta BUF, x
  lda #$48
  sta BUF + 1, x
  lda #5
  sta BUF + 2, x
  ldy #0
@digit:
  lda digits, y
  clc
  adc #$10
  sta BUF + 3, x
  inx
  iny
  cpy #5
  bne @digit
  lda #$20
  sta BUF + 3, x
  lda #$5B
  sta BUF + 4, x
  lda #1
  sta BUF + 5, x
  lda lives
  clc
  adc #$10
  sta BUF + 6, x
  txa
  clc
  adc #7
  sta buf_idx
  rts

draw_sprites:
  ; sprite 0: ball (hidden when the game is over)
  lda ball_y
  sec
  sbc #1
  ldx game_over
  beq @show
  lda #$FF
@show:
  sta OAM
  lda #T_BALL
  sta OAM + 1
  lda #0
  sta OAM + 2
  lda ball_x
  sta OAM + 3
  ; sprites 1-4: paddle
  ldx #0
  lda paddle_x
  sta tmp0
@pad:
  lda #PADDLE_Y - 1
  sta OAM + 4, x
  lda paddle_tiles, x
  sta OAM + 5, x
  lda #1
  sta OAM + 6, x
  lda tmp0
  sta OAM + 7, x
  clc
  adc #8
  sta tmp0
  txa
  clc
  adc #4
  tax
  cpx #16
  bne @pad
  rts

.segment "RODATA"

palette:
  .byte $0F, $30, $10, $00   ; text white, walls grey
  .byte $0F, $16, $27, $00   ; rows 0/1: red, orange
  .byte $0F, $28, $2B, $00   ; rows 2/3: yellow, light green
  .byte $0F, $1A, $12, $00   ; rows 4/5: green, blue
  .byte $0F, $30, $30, $30   ; ball: white
  .byte $0F, $21, $21, $21   ; paddle: light blue
  .byte $0F, $00, $00, $00
  .byte $0F, $00, $00, $00

; Ball speed table: speed levels 1.5, 2.0, 2.5, 3.0 pixels per frame at
; 25, 40 and 55 degrees from vertical, in 1/256 pixel per frame.
vx_table:
  .word 162, 247, 315, 216, 329, 419, 270, 411, 524, 325, 494, 629
vy_table:
  .word 348, 294, 220, 464, 392, 294, 580, 490, 367, 696, 588, 441

; Paddle segment (4 pixels each, left to right): direction and angle.
seg_dir:
  .byte 1, 1, 1, 1, 0, 0, 0, 0
seg_angle:
  .byte 2, 1, 0, 0, 0, 0, 1, 2

row_points:
  .byte 7, 7, 4, 4, 1, 1

paddle_tiles:
  .byte T_PAD_L, 0, 0, 0, T_PAD_M, 0, 0, 0, T_PAD_M, 0, 0, 0, T_PAD_R

title_text:
  REC $22AA, 11
  .byte "PRESS START"
  REC $2323, 26
  .byte "ARCADE ARENA   MIT LICENCE"
  .byte 0

; big title "BRICK": 3x5 blocks per letter, generated layout
big_title:
  REC $2146, 19
  .byte T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK
  REC $2166, 19
  .byte T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, 0, T_BLOCK, 0, 0, T_BLOCK, 0, 0, 0, T_BLOCK, 0, T_BLOCK
  REC $2186, 19
  .byte T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, 0, 0, 0, T_BLOCK, 0, 0, T_BLOCK, 0, 0, 0, T_BLOCK, T_BLOCK, 0
  REC $21A6, 19
  .byte T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, 0, 0, T_BLOCK, 0, 0, T_BLOCK, 0, 0, 0, T_BLOCK, 0, T_BLOCK
  REC $21C6, 19
  .byte T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK, T_BLOCK, T_BLOCK, 0, 0, T_BLOCK, T_BLOCK, 0, T_BLOCK, 0, T_BLOCK
  .byte 0

play_text:
  REC $2042, 5
  .byte "SCORE"
  REC $2055, 5
  .byte "LIVES"
  .byte 0

game_over_rec:
  REC $21EB, 9
  .byte "GAME OVER"

clear_rec:
  REC $21AB, 10
  .byte "ALL CLEAR!"

.segment "VECTORS"
  .word nmi, reset, irq
