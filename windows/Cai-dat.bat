@echo off
rem Installs the program from the wheels in this folder (no internet) into a virtual
rem environment in the user's profile, with one pip command. Saved as UTF-8 without BOM and
rem CRLF line ends; chcp 65001 makes cmd.exe read the Vietnamese lines below as UTF-8.
chcp 65001 >nul
setlocal
set "PYTHONUTF8=1"
set "PYTHONIOENCODING=utf-8"
set "HERE=%~dp0"
set "HERE=%HERE:~0,-1%"
set "VENV=%LOCALAPPDATA%\TongHop588\venv"

rem A Python 3.11 to 3.13: the "py" launcher of python.org's installer, else "python"
rem (which may be the Microsoft Store's placeholder: it is asked to run, not just found).
set "CHECK=import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)"
set "PY="
for %%V in (3.13 3.12 3.11) do if not defined PY py -%%V -c "%CHECK%" >nul 2>nul && set "PY=py -%%V"
if not defined PY python -c "%CHECK%" >nul 2>nul && set "PY=python"
if not defined PY goto no_python

echo Cài đặt chương trình tổng hợp báo cáo QĐ 588 từ thư mục
echo     %HERE%
echo vào %VENV%
echo.
if not exist "%VENV%\Scripts\python.exe" %PY% -m venv "%VENV%"
if errorlevel 1 goto failed
"%VENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index --find-links "%HERE%" --upgrade qd588-pipeline
if errorlevel 1 goto failed
echo.
echo Đã cài xong. Chép tệp Tong-hop-bao-cao.bat vào thư mục làm việc, lưu các tệp báo cáo
echo vào thư mục inbox cạnh nó, rồi bấm đúp Tong-hop-bao-cao.bat để tổng hợp.
set "RC=0"
goto end

:no_python
echo Máy này chưa có Python 3.11, 3.12 hoặc 3.13.
echo Cách cài: tải "Windows installer (64-bit)" tại https://www.python.org/downloads/windows/
echo (hoặc chép bộ cài Python từ máy khác, hoặc nhờ bộ phận tin học), chạy bộ cài, đánh dấu
echo ô "Add python.exe to PATH", bấm "Install Now". Sau đó bấm đúp lại tệp Cai-dat.bat này.
set "RC=9009"
goto end

:failed
set "RC=%ERRORLEVEL%"
echo.
echo Cài đặt chưa xong (mã lỗi %RC%). Xem thông báo ở trên; kiểm tra thư mục này còn đủ các
echo tệp .whl của bộ cài. Có thể xóa thư mục %VENV% rồi chạy lại Cai-dat.bat.

:end
echo.
pause
exit /b %RC%
