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

rem The configuration of the reporting year: empty for the installed one. After "new-year"
rem (run in this folder, it writes cau-hinh\<name>-<year>.toml next to this file), name it
rem here, for example: set "CAU_HINH=cau-hinh\an-giang-2026.toml"
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
