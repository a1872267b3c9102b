@echo off
rem Double-click launcher: consolidates the "inbox" folder next to this file into the
rem configuration's own result folder ([paths] outbox: "outbox", "outbox-an-giang") next to it, shows the summary and keeps the window open. Saved as UTF-8 without BOM and
rem CRLF line ends; chcp 65001 makes cmd.exe read the Vietnamese lines below as UTF-8.
chcp 65001 >nul
setlocal
set "PYTHONUTF8=1"
set "PYTHONIOENCODING=utf-8"
set "HERE=%~dp0"
set "HERE=%HERE:~0,-1%"

rem Cấu hình của năm báo cáo: một tệp trong thư mục này hoặc thư mục con; để trống là cấu hình
rem cài sẵn Kiên Giang. Không sửa cấu hình cài sẵn (cài lại chương trình sẽ thay nó). Muốn dùng
rem cấu hình An Giang và điền các mục «cần điền» (hạn nộp, số công văn, người ký): mở cửa sổ
rem lệnh (cmd) ở thư mục này và gõ một lần
rem   "%LOCALAPPDATA%\TongHop588\venv\Scripts\tong-hop-588" --config an-giang.toml chep-cau-hinh
rem để chép cả cấu hình vào thư mục cau-hinh cạnh tệp này (không ghi đè tệp đã có); mở tệp
rem cau-hinh\an-giang.toml bằng Notepad để điền, rồi sửa dòng set "CAU_HINH=" dưới đây thành
rem   set "CAU_HINH=cau-hinh\an-giang.toml"
rem Sau lệnh new-year (chạy ở thư mục này, ghi cau-hinh\<tên>-<năm>.toml), ghi tên tệp mới đó,
rem ví dụ: set "CAU_HINH=cau-hinh\an-giang-2026.toml"
set "CAU_HINH="
set "CONFIG_ARGS="
if defined CAU_HINH set CONFIG_ARGS=--config "%HERE%\%CAU_HINH%"

rem The console command: a .venv next to this file, the one Cai-dat.bat made, the PATH,
rem or a "pip install --user" of any Python 3.
set "CMD="
if exist "%HERE%\.venv\Scripts\tong-hop-588.exe" set "CMD=%HERE%\.venv\Scripts\tong-hop-588.exe"
if not defined CMD if exist "%LOCALAPPDATA%\TongHop588\venv\Scripts\tong-hop-588.exe" set "CMD=%LOCALAPPDATA%\TongHop588\venv\Scripts\tong-hop-588.exe"
if not defined CMD for %%C in (tong-hop-588.exe) do if not "%%~$PATH:C"=="" set "CMD=%%~$PATH:C"
if not defined CMD for /d %%D in ("%APPDATA%\Python\Python3*") do if exist "%%~D\Scripts\tong-hop-588.exe" set "CMD=%%~D\Scripts\tong-hop-588.exe"
if not defined CMD goto not_installed

if not exist "%HERE%\inbox\" mkdir "%HERE%\inbox"
echo Tổng hợp báo cáo QĐ 588: các tệp trong thư mục
echo     %HERE%\inbox
echo Kết quả ghi vào thư mục kết quả của cấu hình (outbox, hoặc outbox-an-giang với cấu hình An Giang) trong
echo     %HERE%
if defined CAU_HINH echo Cấu hình: %HERE%\%CAU_HINH%
if not defined CAU_HINH echo Cấu hình: bản cài sẵn Kiên Giang. Dùng cấu hình An Giang: xem các dòng rem ở đầu tệp này.
echo.
rem No --outbox: each configuration names its own folder, taken relative to this one.
cd /d "%HERE%"
"%CMD%" %CONFIG_ARGS% consolidate --inbox "%HERE%\inbox"
set "RC=%ERRORLEVEL%"
echo.
if "%RC%"=="0" goto done
echo Chương trình dừng với mã lỗi %RC%. Xem thông báo ở trên: đó là lý do và cách khắc phục.
goto end

:done
echo Xong. Mở tệp tong-hop-588-NĂM.xlsx trong thư mục outbox\NĂM (cấu hình An Giang: outbox-an-giang\NĂM) để xem kết quả.
echo Các tệp phản hồi cho đơn vị có lỗi nằm trong thư mục phan-hoi bên cạnh tệp đó.
goto end

:not_installed
set "RC=9009"
echo Chưa cài chương trình tổng hợp báo cáo trên máy này.
echo Hãy bấm đúp tệp Cai-dat.bat trong bộ cài đặt, chờ cài xong, rồi chạy lại tệp này.

:end
echo.
pause
exit /b %RC%
